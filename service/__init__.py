"""Use cases: what the web tier and the workers ask the service to do, with no Flask, RQ or Docker.

Each takes its store, queue and clock as arguments. ``web/`` and ``worker/`` call these; the
layering contracts in ``.importlinter`` keep Docker out of the web process (issue 22).
"""
