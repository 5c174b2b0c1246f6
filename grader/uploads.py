"""Unpacking an upload (one notebook or a .zip of notebooks and data files) into named bytes."""

from __future__ import annotations

import io
import posixpath
import zipfile

from grader.errors import BadInput, UploadTooLarge

ZIP_MAGIC = b"PK\x03\x04"
IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints", ".DS_Store")


def unpack_upload(filename: str, data: bytes, max_bytes: int) -> dict[str, bytes]:
    """Return ``{relative path: content}``; a zip is unpacked with path and size checks."""
    if len(data) > max_bytes:
        raise UploadTooLarge(f"{filename}: {len(data)} bytes is over the limit of {max_bytes} bytes")
    if not data.startswith(ZIP_MAGIC):
        return {posixpath.basename(filename or "notebook.ipynb"): data}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise BadInput(f"{filename}: not a readable zip archive ({exc})") from exc
    files: dict[str, bytes] = {}
    total = 0
    for info in archive.infolist():
        if info.is_dir() or any(part in info.filename for part in IGNORED_PARTS):
            continue
        name = _safe_member_name(filename, info.filename)
        total += info.file_size
        if total > max_bytes:
            raise UploadTooLarge(f"{filename}: unpacks to more than the limit of {max_bytes} bytes")
        files[name] = archive.read(info)
    if not files:
        raise BadInput(f"{filename}: the zip archive holds no files")
    return _strip_common_folder(files)


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
        return {name[len(top):]: content for name, content in files.items()}
    return files
