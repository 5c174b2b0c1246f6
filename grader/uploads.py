"""Unpacking an upload (one notebook or a .zip of notebooks and data files) into named bytes.

A zip's headers are the attacker's words: a 2 MB zip can declare a tiny member and inflate to
gigabytes. So members are inflated in chunks and the real bytes counted against the budget;
the declared sizes are only used to refuse early, never to allow.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib

from grader.errors import BadInput, UploadTooLarge

ZIP_MAGIC = b"PK\x03\x04"
IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints", ".DS_Store")
MAX_MEMBERS = 1000  # no assignment or submission has more files; each costs a header parse and a check
CHUNK = 64 * 1024  # inflated per read: the most a member may overshoot the budget by
METHODS = (
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
)  # bzip2 and lzma inflate a whole block per read: no bound


def unpack_upload(filename: str, data: bytes, max_bytes: int) -> dict[str, bytes]:
    """Return ``{relative path: content}``; a zip is unpacked with path and size checks."""
    if len(data) > max_bytes:
        raise UploadTooLarge(f"{filename}: {len(data)} bytes is over the limit of {max_bytes} bytes")
    if not data.startswith(ZIP_MAGIC):
        return {posixpath.basename(filename or "notebook.ipynb"): data}
    try:
        files = _unpack_zip(filename, data, max_bytes)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise BadInput(f"{filename}: not a readable zip archive ({exc})") from exc
    if not files:
        raise BadInput(f"{filename}: the zip archive holds no files")
    return _strip_common_folder(files)


def _unpack_zip(filename: str, data: bytes, max_bytes: int) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = [info for info in archive.infolist() if not _ignored(info)]
    if len(members) > MAX_MEMBERS:
        raise BadInput(f"{filename}: the zip archive holds {len(members)} files, more than {MAX_MEMBERS}")
    if sum(info.file_size for info in members) > max_bytes:
        raise UploadTooLarge(f"{filename}: unpacks to more than the limit of {max_bytes} bytes")
    files: dict[str, bytes] = {}
    budget = max_bytes
    for info in members:
        name = _safe_member_name(filename, info.filename)
        if name in files:
            raise BadInput(f"{filename}: the zip archive holds {name!r} more than once")
        _check_readable(filename, info)
        files[name] = _inflate(filename, archive, info, budget, max_bytes)
        budget -= len(files[name])
    return files


def _ignored(info: zipfile.ZipInfo) -> bool:
    return info.is_dir() or any(part in info.filename for part in IGNORED_PARTS)


def _check_readable(archive_name: str, info: zipfile.ZipInfo) -> None:
    """Refuse what ``zipfile`` would fail on with a non-zip error (or inflate without a bound)."""
    if info.flag_bits & 0x1:
        raise BadInput(f"{archive_name}: {info.filename!r} is encrypted; upload it without a password")
    if info.compress_type not in METHODS:
        raise BadInput(
            f"{archive_name}: {info.filename!r} uses compression method {info.compress_type}; "
            "only stored and deflated members are accepted"
        )


def _inflate(
    archive_name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, max_bytes: int
) -> bytes:
    """Read one member chunk by chunk, stopping as soon as the real bytes pass ``budget``."""
    parts: list[bytes] = []
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            size += len(chunk)
            if size > budget:
                raise UploadTooLarge(f"{archive_name}: unpacks to more than the limit of {max_bytes} bytes")
            parts.append(chunk)
    return b"".join(parts)


def _safe_member_name(archive_name: str, member: str) -> str:
    name = posixpath.normpath(member.replace("\\", "/"))
    if name.startswith(("/", "../")) or name == ".." or ":" in name.split("/")[0]:
        raise BadInput(f"{archive_name}: unsafe path in archive: {member!r}")
    return name


def _strip_common_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """Zips made by 'compress folder' wrap everything in one folder; drop it."""
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        top = tops.pop() + "/"
        return {name[len(top) :]: content for name, content in files.items()}
    return files
