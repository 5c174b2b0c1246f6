"""In-process mode: the signed records of the kernel's audit hook (``attest.py``) and their verdict."""

import contextlib
import hashlib
import hmac
import json
import os
import select


class Attestations:
    """The pipe the kernel's audit hook writes signed records to; only signed ones count."""

    def __init__(self, fd, key, pid):
        self.fd = fd
        self.key = key
        self.pid = pid  # a forked copy of the kernel shares the key but not this pid
        self.buffer = b""
        self.poisoned = ""  # set once anything unsigned appears: later verdicts cannot be trusted

    def close(self):
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def read(self, nonce):
        # The hook writes its record inside the audit event, before the kernel reports the
        # cell done, so everything for a cell is already in the pipe: never wait for more.
        while select.select([self.fd], [], [], 0)[0]:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                break
            self.buffer += chunk
            if len(self.buffer) > 1024 * 1024:
                self.buffer = b""
                self.poisoned = self.poisoned or "the attestation pipe was flooded"
        lines, _, self.buffer = self.buffer.rpartition(b"\n")
        records = [self._check(line, nonce) for line in lines.split(b"\n") if lines]
        for record in records:
            if record.get("unsigned"):
                self.poisoned = self.poisoned or record["detail"]
        if self.poisoned:
            records.append({"verdict": "forged", "detail": self.poisoned})
        return records if nonce is not None else []

    def _check(self, line, nonce):
        try:
            message = json.loads(line)
            body = message["body"]
            expected = hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, message["mac"]):
                return {
                    "verdict": "forged",
                    "unsigned": True,
                    "detail": "a record on the attestation pipe had a bad signature",
                }
            record = json.loads(body)
        except (ValueError, KeyError, TypeError, AttributeError):
            return {
                "verdict": "forged",
                "unsigned": True,
                "detail": "something other than the hook wrote to the attestation pipe",
            }
        if nonce is not None and record.get("nonce") != nonce:
            return {"verdict": "forged", "detail": "an attestation for another cell appeared"}
        if record.get("pid") != self.pid:
            return {"verdict": "forged", "detail": "an attestation came from a copy of the kernel"}
        return record


def summarise(records):
    """Verified only with a clean begin and a clean verify record and nothing suspicious."""
    for record in records:
        if record.get("verdict") in ("forged", "tampered"):
            return {"verdict": record["verdict"], "detail": record.get("detail", "")}
    events = {r.get("event"): r for r in records}
    if events.get("verify", {}).get("verdict") == "error":
        return {"verdict": "error", "detail": events["verify"].get("detail", "")}
    if set(events) != {"begin", "verify"} or len(records) != 2:
        return {"verdict": "missing", "detail": "the test cell did not attest its start and end"}
    return {"verdict": "verified", "detail": ""}
