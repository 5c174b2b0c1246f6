"""Slow and idle clients cannot starve the real server (issue 18, item 3).

``autograde serve`` runs as a subprocess (SQLite in a temporary folder) with short client
timeouts; 100 connections hold it the ways slow clients do (half-sent headers, half-sent
bodies, idle keep-alive, headers trickled a byte at a time). The failure conditions are a
``/healthz`` that does not answer within a generous socket timeout, and slow connections the
server has not closed long after its timeouts: nothing here times how fast it answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from bench.slow_clients import SlowClients, serving
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.slow

PATIENCE = 20.0  # seconds one /healthz may take before the server counts as starved
CLOSE_WITHIN = 60.0  # seconds, ten times the request timeout the server runs with here


def test_a_hundred_slow_clients_neither_starve_healthz_nor_stay_open(tmp_path: Path) -> None:
    with serving("new", tmp_path, REDIS_URL) as port, SlowClients(port, 100) as clients:
        for _ in range(5):
            answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=PATIENCE)
            assert answer.status_code == 200
        assert clients.still_open(within=CLOSE_WITHIN) == []


def test_after_the_slow_clients_are_closed_the_server_still_serves(tmp_path: Path) -> None:
    with serving("new", tmp_path, REDIS_URL) as port:
        with SlowClients(port, 100) as clients:
            assert clients.still_open(within=CLOSE_WITHIN) == []
        answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=PATIENCE)
        assert answer.json() == {"ok": True}
