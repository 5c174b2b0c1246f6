"""Sending files (web/downloads.py): one notebook as itself, more as a reproducible zip, names a header cannot carry out."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask import Flask

from web.downloads import (
    NOTEBOOK_TYPE,
    ZIP_TYPE,
    attachment,
    export_filename,
    private_attachment,
    send_files,
    zip_bytes,
)

FILES = {"hw.ipynb": b'{"cells": []}', "data/x.csv": b"a,b\n1,2\n"}


@pytest.fixture
def context() -> object:
    with Flask(__name__).test_request_context() as ctx:
        yield ctx


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        (("ds101", "hw1"), "ds101-hw1"),
        (("../../etc", "passwd"), "etc-passwd"),
        (('a"; filename="evil.sh', "x"), "a_filename_evil.sh-x"),
        (("ds101\r\nSet-Cookie: s=1",), "ds101_Set-Cookie_s_1"),
        (("", "..."), "export-export"),
        (("Prüfung 1",), "Pr_fung_1"),
    ],
)
def test_an_export_filename_keeps_no_path_quote_or_line_break(parts: tuple[str, ...], name: str) -> None:
    assert export_filename(*parts) == name


def test_the_same_files_always_make_the_same_zip_in_name_order() -> None:
    made = zip_bytes(FILES)
    assert made == zip_bytes(dict(reversed(list(FILES.items()))))
    with zipfile.ZipFile(io.BytesIO(made)) as archive:
        assert archive.namelist() == ["data/x.csv", "hw.ipynb"]
        assert {name: archive.read(name) for name in archive.namelist()} == FILES


def test_a_lone_notebook_goes_out_as_itself_and_never_sniffed(context: object) -> None:
    reply = send_files({"hw.ipynb": FILES["hw.ipynb"]}, "hw1", as_zip=False)
    reply.direct_passthrough = False
    assert reply.mimetype == NOTEBOOK_TYPE and reply.get_data() == FILES["hw.ipynb"]
    assert reply.headers["Content-Disposition"] == "attachment; filename=hw.ipynb"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_a_lone_file_that_is_no_notebook_is_sent_as_opaque_bytes(context: object) -> None:
    reply = send_files({"page.html": b"<script>alert(1)</script>"}, "hw1", as_zip=False)
    assert reply.mimetype == "application/octet-stream"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("files", "as_zip"), [(FILES, False), ({"hw.ipynb": b"{}"}, True)])
def test_several_files_or_a_zip_upload_go_out_as_a_zip(
    context: object, files: dict[str, bytes], as_zip: bool
) -> None:
    reply = send_files(files, "ds101-hw1", as_zip=as_zip)
    reply.direct_passthrough = False
    assert reply.mimetype == ZIP_TYPE and reply.headers["Content-Disposition"].endswith("ds101-hw1.zip")
    assert reply.get_data() == zip_bytes(files)


def test_personal_data_is_never_cached_and_other_downloads_may_be(context: object) -> None:
    assert private_attachment(b"a,b", "grades.csv", "text/csv").headers["Cache-Control"] == "no-store"
    assert "no-store" not in (attachment(b"{}", "hw.ipynb", NOTEBOOK_TYPE).headers.get("Cache-Control") or "")
