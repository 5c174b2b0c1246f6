"""Tests mirror the packages (issue 22): a module's tests are found at tests/<package>/test_<module>.py.

Every package of the service is checked. A module with no file of its own name must be in
``WITHOUT_OWN_TESTS`` (package markers, and modules only meaningful elsewhere, with the tests
that cover them). A new module without either fails here, and so does an entry that has since
got its file. Every other module has its own file (the last 13 got theirs at the end of 2026).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = (
    "grader",
    "specs",
    "exam_bank",
    "sandboxes/agent",
    "store",
    "service",
    "worker",
    "records",
    "credentials",
    "integrations",
    "integrity",
    "autograde",
    "sandboxes",
    "web",
    "web/api",
    "web/pages",
    "web/lti",
)

MARKER = "package marker: a docstring (and re-exports), no code"

WITHOUT_OWN_TESTS: dict[str, str] = {
    **{f"{package}/__init__.py": MARKER for package in PACKAGES if package != "sandboxes/agent"},
    # Runs only as a kernel's bootstrap file: what it refuses is attacked from learner code in a
    # real sandbox by the tests named here (its happy path also runs in test_kernel.py).
    "sandboxes/agent/attest.py": "the kernel's bootstrap audit hook, only meaningful inside a running kernel: "
    "tests/security/test_forgery.py, test_judge_check.py, test_leaks.py",
    "web/__init__.py": "package marker re-exporting create_app (tests/web/test_app.py)",
    # Wiring, meaningful only as the routes it mounts: the tests that walk every route cover it.
    "web/api/__init__.py": "mounts each API module's routes under /api/v1 behind token authentication: "
    "tests/web/test_openapi.py (every route documented), tests/web/test_scope_matrix.py (every route "
    "against outsiders), tests/web/test_auth.py",
    "web/pages/__init__.py": "mounts the pages with CSRF on every POST, error pages and security headers: "
    "tests/web/pages/test_session.py, tests/web/test_pages_errors.py, tests/web/test_pages_scope_matrix.py",
    "web/handles.py": "the dataclass of one app's handles in app.extensions, only meaningful in a built app: "
    "tests/web/test_app.py and every test through create_app",
    "autograde/__main__.py": "`python -m autograde`, two lines handing over to autograde/cli.py; run as a "
    "process by tests/autograde/test_cli_output.py",
    "service/deps.py": "a typing.Protocol with no code (what a use case may reach); mypy checks that "
    "web/handles.py and worker/context.py satisfy it",
}


def modules() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix() for package in PACKAGES for path in (ROOT / package).glob("*.py")
    )


def own_test_file(module: str) -> Path:
    path = Path(module)
    return ROOT / "tests" / path.parent / f"test_{path.stem}.py"


def test_every_module_has_its_own_test_file_or_a_reason() -> None:
    missing = [module for module in modules() if not own_test_file(module).is_file()]
    unexplained = sorted(set(missing) - set(WITHOUT_OWN_TESTS))
    assert not unexplained, (
        f"no tests/<package>/test_<module>.py and no reason in WITHOUT_OWN_TESTS: {unexplained}"
    )


def test_the_allow_list_names_only_modules_still_without_a_test_file() -> None:
    stale = sorted(
        entry for entry in WITHOUT_OWN_TESTS if entry not in modules() or own_test_file(entry).is_file()
    )
    assert not stale, f"gone, or now tested in its own file; take them off the list: {stale}"


def test_the_layout_check_sees_every_package() -> None:
    assert all((ROOT / package).is_dir() for package in PACKAGES)
    assert {"grader/pipeline.py", "specs/fields.py", "sandboxes/agent/judge.py", "store/exams.py"} <= set(
        modules()
    )
    assert all(reason.strip() for reason in WITHOUT_OWN_TESTS.values())


def test_the_tests_a_reason_points_to_exist() -> None:
    named = {
        path for reason in WITHOUT_OWN_TESTS.values() for path in re.findall(r"tests/[\w/]+\.py", reason)
    }
    assert named and not sorted(path for path in named if not (ROOT / path).is_file())
