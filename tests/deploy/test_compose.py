"""docker-compose.yml agrees with the code (issue 19): what ``docker compose config`` would show, parsed here.

Every variable a service is given is a real setting; every command is one the CLI accepts;
the web service can be scaled (no fixed host port: the balancer publishes one); the shared
keys are mounted as compose secrets at the paths the settings name; and the configuration
passes distributed mode's checks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.deploy.checks import key_files, option, parsed_command, settings_from, unknown_variables

COMPOSE = ROOT / "docker-compose.yml"
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<kind>:?[-?])(?P<rest>[^}]*))?\}")
SAMPLE = "compose-test"  # what an operator sets for a required ${VAR:?...}
AUTOGRADE_IMAGE = "autograde:latest"


def interpolate(value: Any) -> Any:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?message}``, with nothing set in the environment."""
    if isinstance(value, str):
        return VARIABLE.sub(lambda m: m["rest"] if m["kind"] and m["kind"].endswith("-") else SAMPLE, value)
    if isinstance(value, list):
        return [interpolate(item) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item) for key, item in value.items()}
    return value


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = interpolate(yaml.safe_load(COMPOSE.read_text()))
    return loaded


def autograde_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == AUTOGRADE_IMAGE
    }


def command_of(service: dict[str, Any]) -> list[str]:
    """The service's command, or the image's own (the Dockerfile's CMD)."""
    if "command" in service:
        return list(service["command"])
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert cmd, "the Dockerfile has no CMD in exec form"
    return list(yaml.safe_load(cmd[1]))


def test_every_variable_a_service_is_given_is_a_real_setting(compose: dict[str, Any]) -> None:
    for name, service in autograde_services(compose).items():
        assert unknown_variables(service.get("environment", {})) == [], name


def test_every_service_runs_a_command_the_cli_accepts(compose: dict[str, Any]) -> None:
    commands = {
        name: parsed_command(command_of(service)) for name, service in autograde_services(compose).items()
    }
    assert commands["web"] == "serve" and "worker" in commands.values()


def test_the_web_service_can_be_scaled_behind_the_balancer(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "ports" not in services["web"], "a fixed host port lets only one web replica start"
    port = option(command_of(services["web"]), "--port")
    config = ROOT / services["balancer"]["volumes"][0].split(":")[0]
    assert re.search(rf"http://web:{port}\b", config.read_text()), (
        "the balancer does not send to the web port"
    )
    assert services["balancer"]["ports"], "nothing publishes the service"
    assert settings_from(services["web"]["environment"]).proxy_hops == 1


def test_the_configuration_passes_the_distributed_checks(compose: dict[str, Any]) -> None:
    for name, service in autograde_services(compose).items():
        settings = settings_from(service["environment"])
        assert settings.distributed and not settings.database_url.startswith("sqlite"), name


def test_the_web_service_finds_its_keys_where_the_settings_say(compose: dict[str, Any]) -> None:
    web = compose["services"]["web"]
    mounted = {
        f"/run/secrets/{secret}": compose["secrets"][secret]["file"] for secret in web.get("secrets", [])
    }
    wanted = key_files(settings_from(web["environment"]))
    assert wanted and all(path in mounted for path in wanted), (wanted, mounted)
    ignored = (ROOT / ".gitignore").read_text().split()
    for source in mounted.values():  # the key files live beside the compose file, and are never committed
        assert Path(source).parent.as_posix() in {"secrets", "./secrets"} and "secrets/" in ignored


def test_workers_with_sandboxes_reach_an_engine_and_the_delivery_worker_none(compose: dict[str, Any]) -> None:
    for name, service in autograde_services(compose).items():
        command = command_of(service)
        if parsed_command(command) != "worker":
            continue
        delivers_only = "--queues" in command and command[command.index("--queues") + 1 :] == ["callbacks"]
        has_engine = any(volume.endswith(":/var/run/docker.sock") for volume in service.get("volumes", []))
        assert has_engine != delivers_only, name


def test_ci_s_override_gives_web_and_worker_only_real_settings() -> None:
    """deploy/compose/ci.yml (tests/deploy/test_compose_up.py) must misspell nothing either: it would run anyway."""
    override = yaml.safe_load((ROOT / "deploy" / "compose" / "ci.yml").read_text())
    assert set(override["services"]) == {"web", "worker"}
    for name, service in override["services"].items():
        assert unknown_variables(service["environment"]) == [], name
        assert service["network_mode"] == "host", (
            name
        )  # the host's Redis and PostgreSQL, as the test gives them
    web = override["services"]["web"]
    command = [VARIABLE.sub("8000", part) for part in web["command"]]  # the port is the test's to pick
    assert parsed_command(interpolate(command)) == "serve" and "BASE_IMAGE" in web["build"]["args"]


def test_the_service_image_copies_every_package_the_project_ships() -> None:
    """A package left out of the Dockerfile fails only when the image is built or imported.

    The image copies packages one by one (so a change to one keeps the library layer cached);
    after the merge of credentials/ and integrity/ the compose build in CI was the first to see
    they were missing. pyproject's package list is the truth.
    """
    import tomllib

    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = {pattern.rstrip("*") for pattern in shipped["include"]}
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    in_context = set(re.findall(r"^!(\w+)$", (ROOT / ".dockerignore").read_text(), re.MULTILINE))
    assert packages - copied == set()
    assert packages - in_context == set()  # .dockerignore keeps everything else out of the build
