"""Who may start an attempt now: the window, the attempt limit, the access code, the network.

Each refusal is a ``Forbidden`` whose message tells the learner what stands in the way
(never the expected code). The access code is compared in constant time, as a secret;
an IPv4 address seen by a dual-stack server as ``::ffff:a.b.c.d`` is judged as IPv4.
"""

from __future__ import annotations

import hmac
import ipaddress
from datetime import datetime

from exam_bank.spec import ExamSpec
from grader.errors import Forbidden, WrongAccessCode

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_access(
    spec: ExamSpec, now: datetime, attempts_used: int, code: str | None, client_ip: str | None
) -> None:
    """Return if a new attempt may start at ``now``; raise ``Forbidden`` naming the first rule broken."""
    if now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, not naive ({now.isoformat()})")
    if attempts_used < 0:
        raise ValueError(f"attempts_used cannot be negative, not {attempts_used}")
    _check_window(spec, now)
    if attempts_used >= spec.attempts_allowed:
        raise Forbidden(f"all {spec.attempts_allowed} attempts at {spec.title!r} have been used")
    _check_code(spec.access.code, code)
    if spec.access.networks:
        _check_network(spec, client_ip)


def _check_window(spec: ExamSpec, now: datetime) -> None:
    if now < spec.window.opens:
        raise Forbidden(f"{spec.title!r} opens at {spec.window.opens.isoformat()}; it is not open yet")
    if now >= spec.window.closes:
        raise Forbidden(f"{spec.title!r} closed at {spec.window.closes.isoformat()}")


def _check_code(expected: str | None, given: str | None) -> None:
    if expected is None:
        return
    if not given or not given.strip():
        raise Forbidden("this exam needs an access code")
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise WrongAccessCode("the access code is not right")


def _check_network(spec: ExamSpec, client_ip: str | None) -> None:
    if not client_ip:
        raise Forbidden("this exam may only be taken from allowed networks, and your address is unknown")
    try:
        address: Address = ipaddress.ip_address(client_ip.strip())
    except ValueError as exc:
        raise Forbidden(f"{client_ip!r} is not an IP address, so it is in no allowed network") from exc
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not any(address in network for network in spec.access.networks):
        raise Forbidden(f"this exam may not be taken from {address}: it is outside the allowed networks")
