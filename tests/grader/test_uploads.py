"""Unpacking uploads: hostile zips are refused with a ``BadInput``, never inflated past the budget."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest

from grader.errors import BadInput, UploadTooLarge
from grader.uploads import MAX_MEMBERS, unpack_upload

BUDGET = 100_000
BOMB_BYTES = 20 * 1024 * 1024  # inflates to 200 times the budget; compresses to about 20 KB

# Offsets of fields in a local file header (PK\3\4) and a central directory header (PK\1\2).
LOCAL = {"flags": 6, "method": 8, "crc": 14, "compressed": 18, "size": 22, "name": 30}
CENTRAL = {"flags": 8, "method": 10, "crc": 16, "compressed": 20, "size": 24, "name": 46}
WIDTH = {"flags": "<H", "method": "<H", "crc": "<I", "compressed": "<I", "size": "<I"}


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def patched(data: bytes, field: str, value: int | bytes, local: bool = True, central: bool = True) -> bytes:
    """A one-member zip with ``field`` rewritten in its local and/or central header."""
    out = bytearray(data)
    for wanted, signature, offsets in ((local, b"PK\x03\x04", LOCAL), (central, b"PK\x01\x02", CENTRAL)):
        if not wanted:
            continue
        at = out.index(signature) + offsets[field]
        raw = value if isinstance(value, bytes) else struct.pack(WIDTH[field], value)
        out[at : at + len(raw)] = raw
    return bytes(out)


def lying_bomb() -> bytes:
    """A large compressible member whose headers both declare it is 100 bytes."""
    return patched(make_zip({"hw.ipynb": b"\0" * BOMB_BYTES}), "size", 100)


def peak_bytes_while(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
    except BadInput:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_a_single_notebook_is_returned_under_its_own_name() -> None:
    assert unpack_upload("dir/hw.ipynb", b"{}", BUDGET) == {"hw.ipynb": b"{}"}


def test_a_zip_keeps_nested_folders_and_drops_one_wrapping_folder() -> None:
    data = make_zip({"work/hw.ipynb": b"{}", "work/data/a.csv": b"1,2"})
    assert unpack_upload("work.zip", data, BUDGET) == {"hw.ipynb": b"{}", "data/a.csv": b"1,2"}


def test_a_zip_whose_headers_lie_about_the_size_is_refused() -> None:
    with pytest.raises(BadInput):
        unpack_upload("bomb.zip", lying_bomb(), BUDGET)


def test_a_zip_whose_headers_lie_about_the_size_is_never_inflated_past_the_budget() -> None:
    bomb = lying_bomb()
    peak = peak_bytes_while(lambda: unpack_upload("bomb.zip", bomb, BUDGET))
    assert peak < len(bomb) + 4 * BUDGET + 1024 * 1024  # the upload, the budget, a chunk or two


def test_a_zip_that_honestly_inflates_past_the_budget_is_too_large() -> None:
    with pytest.raises(UploadTooLarge):
        unpack_upload("big.zip", make_zip({"hw.ipynb": b"\0" * (BUDGET + 1)}), BUDGET)


def test_real_bytes_count_against_the_budget_across_members() -> None:
    data = make_zip({f"part{i}.csv": b"\0" * (BUDGET // 3) for i in range(4)})
    with pytest.raises(UploadTooLarge):
        unpack_upload("parts.zip", data, BUDGET)


def test_a_zip_with_too_many_members_is_refused() -> None:
    data = make_zip({f"f{i}.txt": b"" for i in range(MAX_MEMBERS + 1)}, zipfile.ZIP_STORED)
    with pytest.raises(BadInput, match="files"):
        unpack_upload("many.zip", data, 10 * BUDGET)


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "../hw.ipynb", "work/../../hw.ipynb", "C:/hw.ipynb", "..\\..\\hw.ipynb"]
)
def test_a_member_path_that_leaves_the_folder_is_refused(name: str) -> None:
    with pytest.raises(BadInput, match="unsafe path"):
        unpack_upload("paths.zip", make_zip({name: b"{}"}), BUDGET)


def test_two_members_that_name_the_same_file_are_refused() -> None:
    with pytest.raises(BadInput, match="more than once"):
        unpack_upload("twice.zip", make_zip({"hw.ipynb": b"{}", "./hw.ipynb": b"[]"}), BUDGET)


def test_an_encrypted_member_is_refused() -> None:
    data = patched(make_zip({"hw.ipynb": b"{}"}), "flags", 0x1)
    with pytest.raises(BadInput, match="encrypted"):
        unpack_upload("secret.zip", data, BUDGET)


def test_an_unknown_compression_method_is_refused() -> None:
    data = patched(make_zip({"hw.ipynb": b"{}"}), "method", 99)
    with pytest.raises(BadInput, match="compression"):
        unpack_upload("odd.zip", data, BUDGET)


def test_a_compression_method_without_a_streaming_bound_is_refused() -> None:
    data = make_zip({"hw.ipynb": b"{}"}, zipfile.ZIP_BZIP2)
    with pytest.raises(BadInput, match="compression"):
        unpack_upload("bz.zip", data, BUDGET)


def test_a_member_with_a_bad_checksum_is_refused() -> None:
    data = patched(make_zip({"hw.ipynb": b"{}" * 100}), "crc", 0)
    with pytest.raises(BadInput):
        unpack_upload("crc.zip", data, BUDGET)


def test_a_member_whose_local_and_central_names_differ_is_refused() -> None:
    data = patched(make_zip({"hw.ipynb": b"{}"}), "name", b"xx.ipynb", central=False)
    with pytest.raises(BadInput):
        unpack_upload("names.zip", data, BUDGET)


def test_a_truncated_member_is_refused() -> None:
    data = make_zip({"hw.ipynb": bytes(range(256)) * 200})
    cut = data.index(b"PK\x01\x02")
    with pytest.raises(BadInput):
        unpack_upload("cut.zip", data[: cut // 2] + data[cut:], BUDGET)


def test_an_upload_over_the_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(UploadTooLarge, match="over the limit"):
        unpack_upload("hw.ipynb", b"{" + b" " * BUDGET + b"}", BUDGET)


@pytest.mark.parametrize("name", ["../../etc/hw.ipynb", "/tmp/hw.ipynb", "work/hw.ipynb"])
def test_a_single_notebooks_name_keeps_no_folder(name: str) -> None:
    assert unpack_upload(name, b"{}", BUDGET) == {"hw.ipynb": b"{}"}


def test_a_symlink_member_is_only_bytes_naming_its_target_never_a_link() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("data.csv")
        link.external_attr = (0o120777 << 16) | 0x20  # what `zip --symlinks` writes for a link
        archive.writestr(link, "/etc/passwd")
        archive.writestr("hw.ipynb", b"{}")
    files = unpack_upload("links.zip", buffer.getvalue(), BUDGET)
    assert files == {"data.csv": b"/etc/passwd", "hw.ipynb": b"{}"}  # the target's name, not its content


def test_a_name_flagged_utf8_that_is_not_utf8_is_bad_input_not_a_crash() -> None:
    data = patched(make_zip({"hw.ipynb": b"{}"}), "name", b"h\xffw")
    data = patched(data, "flags", 0x800)  # "the name is UTF-8"
    with pytest.raises(BadInput, match="not a readable zip"):
        unpack_upload("names.zip", data, BUDGET)


def test_a_name_without_the_utf8_flag_is_read_as_cp437_text() -> None:
    data = patched(make_zip({"hw.ipynb": b"{}"}), "name", b"\x81w.")
    assert unpack_upload("names.zip", data, BUDGET) == {"\u00fcw.ipynb": b"{}"}


def test_macos_litter_checkpoints_and_folders_are_not_files() -> None:
    data = make_zip(
        {
            "__MACOSX/hw/._hw.ipynb": b"x",
            "hw/.ipynb_checkpoints/hw-checkpoint.ipynb": b"x",
            "hw/hw.ipynb": b"{}",
        }
    )
    assert unpack_upload("mac.zip", data, BUDGET) == {"hw.ipynb": b"{}"}


def test_a_zip_of_only_litter_holds_no_files() -> None:
    with pytest.raises(BadInput, match="holds no files"):
        unpack_upload("empty.zip", make_zip({"__MACOSX/._x": b"x"}), BUDGET)


def test_two_top_folders_are_kept_as_they_are() -> None:
    data = make_zip({"a/hw.ipynb": b"{}", "b/data.csv": b"1"})
    assert unpack_upload("two.zip", data, BUDGET) == {"a/hw.ipynb": b"{}", "b/data.csv": b"1"}
