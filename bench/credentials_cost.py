"""What issuing and verifying 1,000 standard credentials costs, side by side with the legacy signature.

    .venv/bin/python -m bench.credentials_cost --credentials 1000

The workload is 1,000 Open Badges 3.0 ``AchievementCredential``s, one per learner and
course, as ``records/export.py`` shapes them (results, credits, an identity, the course's
achievement). Each is issued and then verified four ways, in the same run and in
alternating blocks so that drift on a shared machine falls on all of them:

- legacy (before): our own Ed25519 signature over canonical JSON (``records/signing.py``);
- eddsa-rdfc-2022: a W3C Data Integrity proof, RDFC-1.0 canonicalisation included;
- eddsa-rdfc-2022 + status: the same, verified with both status lists (decompressing and
  verifying the lists' own proofs each time, as a registrar checking one credential would);
- VC-JWT: the credential as an Open Badges 3.0 JWT (EdDSA).

Every credential must verify every way, and one changed byte must fail, or the run fails.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import eddsa_rdfc, status_list, vc_jwt
from credentials.dids import method_id
from credentials.multikey import did_key, public_of
from credentials.verify import verify_credential
from records.export import achievement_credential, course_achievement, course_outcome
from records.signing import decode_signed, encode_signed, key_id, sign_document, verify_document

ISSUED_AT = "2026-06-30T12:00:00Z"
STATUS_URL = "https://grades.example.edu/api/v1/records/status"
COURSES = ("stats", "ml", "viz", "nlp", "thesis")


@dataclass
class Way:
    name: str
    issue: Callable[[dict[str, Any]], bytes]
    verify: Callable[[bytes], object]
    issue_times: list[float] = field(default_factory=list)
    verify_times: list[float] = field(default_factory=list)


def workload(count: int, issuer: str) -> list[dict[str, Any]]:
    profile = {"id": issuer, "type": ["Profile"], "name": "Example University"}
    documents = []
    for n in range(count):
        course = {"course": COURSES[n % len(COURSES)], "credits": 4.0, "required": n % 3 != 0}
        result = {**course, "grade": 50 + n % 50, "letter": "B", "passed": n % 7 != 0}
        achievement = course_achievement("msc-data", course)
        document = achievement_credential(
            profile, ISSUED_AT, f"learner-{n}", achievement, course_outcome(result, achievement["id"])
        )
        document["credentialStatus"] = status_list.entry(f"{STATUS_URL}/revocation", "revocation", n)
        documents.append(document)
    return documents


def ways(private: bytes) -> list[Way]:
    did = did_key(public_of(private))
    method = method_id(did, public_of(private))
    legacy_issuer = {"id": did, "name": "Example University"}
    keys = {key_id(public_of(private)): public_of(private)}
    revocations = eddsa_rdfc.add_proof(
        status_list.list_credential(f"{STATUS_URL}/revocation", "revocation", did, ISSUED_AT, [3]),
        private,
        method,
        ISSUED_AT,
    )
    lists = [json.dumps(revocations).encode()]

    def signed(document: dict[str, Any]) -> bytes:
        return json.dumps(eddsa_rdfc.add_proof(document, private, method, ISSUED_AT)).encode()

    return [
        Way(
            "legacy (before)",
            lambda d: encode_signed(sign_document(d, private, ISSUED_AT, legacy_issuer)),
            lambda data: verify_document(decode_signed(data), keys),
        ),
        Way("eddsa-rdfc-2022", signed, lambda data: verify_credential(data, {}, check_status=False)),
        Way("eddsa-rdfc-2022 + status", signed, lambda data: verify_credential(data, {}, lists)),
        Way(
            "VC-JWT",
            lambda d: vc_jwt.sign(d, private, method).encode(),
            lambda data: verify_credential(data, {}, check_status=False),
        ),
    ]


def run(count: int, block: int) -> list[Way]:
    private = Ed25519PrivateKey.generate().private_bytes_raw()
    documents = workload(count, did_key(public_of(private)))
    measured = ways(private)
    for start in range(0, count, block):
        order = measured if (start // block) % 2 == 0 else list(reversed(measured))
        for way in order:
            for document in documents[start : start + block]:
                began = time.perf_counter()
                data = way.issue(document)
                issued = time.perf_counter()
                way.verify(data)
                way.verify_times.append(time.perf_counter() - issued)
                way.issue_times.append(issued - began)
    return measured


def tampering_fails(way: Way, document: dict[str, Any]) -> bool:
    """The learner's name changed by one character (inside the JWT's payload for VC-JWT)."""
    data = way.issue(document)
    if data.startswith(b"{"):
        changed = data.replace(b"learner-0", b"learner-9", 1)
    else:
        head, payload, signature = data.split(b".")
        text = base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)).replace(
            b"learner-0", b"learner-9"
        )
        changed = b".".join([head, base64.urlsafe_b64encode(text).rstrip(b"="), signature])
    assert changed != data
    try:
        way.verify(changed)
    except Exception:  # noqa: BLE001 - any refusal is what is wanted here
        return True
    return False


def report(measured: list[Way], count: int) -> None:
    print(f"\n{count} OB 3.0 AchievementCredentials, each issued then verified, per way\n")
    print(
        "| way | issue median ms | issue p95 ms | verify median ms | verify p95 ms | 1,000 issued + verified, s |"
    )
    print("|---|---|---|---|---|---|")
    for way in measured:
        # seconds for 1,000 = (total seconds / count) * 1,000
        total = (sum(way.issue_times) + sum(way.verify_times)) * 1000 / len(way.issue_times)
        print(
            f"| {way.name} | {median_ms(way.issue_times)} | {p95_ms(way.issue_times)} "
            f"| {median_ms(way.verify_times)} | {p95_ms(way.verify_times)} | {total:.1f} |"
        )


def median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.2f}"


def p95_ms(times: list[float]) -> str:
    ordered = sorted(times)
    return f"{ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--credentials", type=int, default=1000)
    parser.add_argument("--block", type=int, default=50, help="credentials per way before switching ways")
    args = parser.parse_args()
    measured = run(args.credentials, args.block)
    report(measured, args.credentials)
    probe = workload(1, did_key(public_of(Ed25519PrivateKey.generate().private_bytes_raw())))[0]
    broken = [
        way.name
        for way in ways(Ed25519PrivateKey.generate().private_bytes_raw())
        if not tampering_fails(way, probe)
    ]
    if broken:
        print(f"\nFAIL: a changed byte still verified: {', '.join(broken)}")
        return 1
    print("\nevery credential verified every way; one changed byte failed every way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
