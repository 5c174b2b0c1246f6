"""Peak memory of the web process under concurrent zip bombs whose headers lie (issue 18, item 1).

    .venv/bin/python -m bench.zip_bomb                 # 8 bombs at once, each 1 GiB of zeros
    .venv/bin/python -m bench.zip_bomb --uploads 16 --inflated-mb 512   # under 2048: no zip64 headers

The bomb is a zip of one member of zeros whose local and central headers both declare it is
100 bytes: about 1 MB on the wire. The real app (SQLite in a temporary folder, the default
upload limit) runs in this process; ``--uploads`` threads post the bomb at once as a new
assignment. Printed: the answers' statuses, the wall time, and the process's resident set
before and at its peak (``VmHWM``). Nothing is asserted: it is a measurement.
"""

from __future__ import annotations

import argparse
import io
import re
import struct
import sys
import tempfile
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from service.settings import Settings
from web import create_app

MIB = 1024 * 1024
DECLARED = 100


def bomb(inflated_mb: int) -> bytes:
    """Stream ``inflated_mb`` MiB of zeros into a deflated member, then make its headers lie."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("hw.ipynb", "w") as member,
    ):
        zeros = b"\0" * MIB
        for _ in range(inflated_mb):
            member.write(zeros)
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        data[at : at + 4] = struct.pack("<I", DECLARED)
    return bytes(data)


def rss(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in bytes."""
    text = Path("/proc/self/status").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--inflated-mb", type=int, default=1024)
    args = parser.parse_args(argv)
    payload = bomb(args.inflated_mb)
    with tempfile.TemporaryDirectory(prefix="bench-zip-bomb-") as data_dir:
        settings = Settings(data_dir=data_dir, admin_token="bench-admin")
        client = create_app(settings).test_client()
        headers = {"Authorization": "Bearer bench-admin"}

        def post(_: int) -> int:
            form = {"course": "bench", "name": "bomb", "file": (io.BytesIO(payload), "bomb.zip")}
            return client.post(
                "/api/v1/assignments", headers=headers, data=form, content_type="multipart/form-data"
            ).status_code

        before = rss("VmRSS")
        started = time.perf_counter()
        with ThreadPoolExecutor(args.uploads) as pool:
            statuses = Counter(pool.map(post, range(args.uploads)))
        elapsed = time.perf_counter() - started
    print(
        f"bomb: {len(payload) / MIB:.2f} MiB on the wire, {args.inflated_mb} MiB inflated, {DECLARED} bytes declared"
    )
    print(f"uploads at once: {args.uploads}; answers: {dict(statuses)}; wall time {elapsed:.2f} s")
    print(
        f"resident set: {before / MIB:.0f} MiB before, {rss('VmHWM') / MIB:.0f} MiB peak, "
        f"{(rss('VmHWM') - before) / MIB:.0f} MiB growth"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
