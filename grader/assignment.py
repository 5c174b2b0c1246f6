"""An assignment as the grader sees it: trusted sources, releases, data files and the rubric."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.errors import InvalidAssignment
from grader.judging import JUDGED, Judging, judging_of
from grader.notebooks import dump_notebook, parse_notebook
from grader.release import build_release
from grader.rubric import Rubric, build_rubric
from grader.validation import upgrade_metadata, validate_source

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)

NOTEBOOK_SUFFIX = ".ipynb"


@dataclass(frozen=True)
class Assignment:
    sources: Mapping[str, NotebookNode]
    releases: Mapping[str, NotebookNode]
    files: Mapping[str, bytes]
    rubric: Rubric
    judging: Judging = JUDGED

    @property
    def notebook_names(self) -> list[str]:
        return sorted(self.sources)

    def release_files(self) -> dict[str, bytes]:
        """What a learner downloads: released notebooks plus the data files."""
        out = {name: dump_notebook(nb) for name, nb in self.releases.items()}
        out.update(self.files)
        return out


def build_assignment(files: Mapping[str, bytes]) -> Assignment:
    """Validate uploaded source files and derive the release and rubric from them."""
    notebooks = {name: data for name, data in files.items() if name.endswith(NOTEBOOK_SUFFIX)}
    if not notebooks:
        raise InvalidAssignment("the upload holds no .ipynb notebook")
    sources = {name: upgrade_metadata(parse_notebook(data, name)) for name, data in notebooks.items()}
    for name, notebook in sources.items():
        validate_source(name, notebook)
    return Assignment(
        sources=sources,
        releases={name: build_release(name, nb) for name, nb in sources.items()},
        files={name: data for name, data in files.items() if name not in notebooks},
        rubric=build_rubric(sources),
        judging=judging_of(sources.items()),
    )


def load_assignment(sources: Mapping[str, bytes], files: Mapping[str, bytes]) -> Assignment:
    """Rebuild an already validated assignment from stored source bytes."""
    return build_assignment({**files, **sources})


def keep_notebook_name(files: Mapping[str, bytes], notebooks: Sequence[str]) -> dict[str, bytes]:
    """A one-notebook assignment's fixed source under the assignment's notebook name, whatever the file was called.

    The notebook's name is the assignment's identity: learners download the release under
    it, their submissions and stored reports name it, and the gradebook's columns are keyed
    by it. An instructor's ``hw1-fixed.ipynb`` is a new version of ``hw1.ipynb``, not a new
    notebook. With several notebooks on either side the names are left as sent.
    """
    sent = [name for name in files if name.endswith(NOTEBOOK_SUFFIX)]
    if len(notebooks) != 1 or len(sent) != 1 or sent[0] == notebooks[0]:
        return dict(files)
    return {(notebooks[0] if name == sent[0] else name): data for name, data in files.items()}
