"""Creating a programme from its spec: the one path the API, the admin's page and the command line share.

Nothing is stored unless the whole spec is valid (``records.programme.parse_programme``
lists every problem, a programme nobody could complete among them); once stored, the
grades its courses already hold are brought into its learners' histories
(``store.programmes.import_existing``).
"""

from __future__ import annotations

from grader.errors import BadInput
from records.programme import Programme, parse_programme
from store import Store


def create_programme(store: Store, spec_name: str, data: bytes) -> Programme:
    """Parse and keep a programme spec; ``spec_name`` (its file name) chooses YAML or JSON."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{spec_name}: the spec must be UTF-8 text") from None
    programme = parse_programme(spec_name, text)
    store.add_programme(programme.id, programme.title, spec_name, text, [c.course for c in programme.courses])
    return programme
