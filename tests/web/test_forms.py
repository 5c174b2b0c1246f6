"""Reading form fields (web/forms.py): names the store keeps as text, and an upload's file name without its folders."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask

from grader.errors import BadInput
from web.forms import MAX_NAME_LENGTH, check_paths, optional_text_field, text_field, uploaded_file


def form(data: dict[str, Any]) -> Any:
    return Flask(__name__).test_request_context(method="POST", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "needs a non-empty 'course'"),
        ("   ", "needs a non-empty 'course'"),
        ("x" * (MAX_NAME_LENGTH + 1), "longer than 200"),
        ("ds\x00101", "control characters"),
        ("ds\x1b[31m101", "control characters"),
        ("ds\x7f101", "control characters"),
    ],
)
def test_a_text_field_the_store_could_not_keep_is_refused(value: str, message: str) -> None:
    with form({"course": value}), pytest.raises(BadInput, match=message):
        text_field("course")


def test_a_missing_field_is_refused_by_name_and_optional_fields_may_be_missing() -> None:
    with form({}):
        with pytest.raises(BadInput, match="'course'"):
            text_field("course")
        assert optional_text_field("course") is None
    with form({"course": "  ds101 "}):
        assert text_field("course") == "ds101"


def test_an_optional_field_that_is_present_is_checked_all_the_same() -> None:
    with form({"note": "a\x00b"}), pytest.raises(BadInput, match="control characters"):
        optional_text_field("note")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("hw.ipynb", "hw.ipynb"),
        ("../../etc/passwd", "passwd"),
        ("/abs/path/hw.ipynb", "hw.ipynb"),
        ("data/../../hw.ipynb", "hw.ipynb"),
    ],
)
def test_an_uploaded_file_keeps_only_its_base_name(sent: str, kept: str) -> None:
    with form({"file": (io.BytesIO(b"{}"), sent)}):
        assert uploaded_file() == (kept, b"{}")


@pytest.mark.parametrize("sent", ["C:\\Users\\alice\\hw.ipynb", "..\\..\\hw.ipynb"])
def test_a_windows_path_keeps_no_folder_separator(sent: str) -> None:
    """However the multipart parser reads the backslashes (as separators or as quoting), no folder is left."""
    with form({"file": (io.BytesIO(b"{}"), sent)}):
        name, _ = uploaded_file()
    assert name.endswith("hw.ipynb") and "/" not in name and "\\" not in name


def test_an_upload_without_its_file_or_with_a_control_character_in_its_name_is_refused() -> None:
    with form({"other": (io.BytesIO(b"{}"), "hw.ipynb")}), pytest.raises(BadInput, match="'file' file"):
        uploaded_file()
    with form({"file": (io.BytesIO(b"{}"), "hw\x00.ipynb")}), pytest.raises(BadInput, match="control"):
        uploaded_file()


def test_every_path_in_an_archive_is_checked() -> None:
    check_paths(["hw.ipynb", "data/x.csv"])
    with pytest.raises(BadInput, match="'data/\\\\nx.csv'"):
        check_paths(["hw.ipynb", "data/\nx.csv"])
