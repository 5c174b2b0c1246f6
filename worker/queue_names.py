"""The RQ queues' names, in a module of their own: the CLI offers them as choices (``autograde
worker --queues``) at every start, and importing them must not load RQ or the store."""

from __future__ import annotations

PRIORITIES = ("exams", "assignments", "regrades")  # a worker serves them in this order
CALLBACKS = "callbacks"  # result deliveries: short HTTP calls, served after exams, before assignments
INTEGRITY = "integrity"  # similarity checks: served last, after every grade and regrade
QUEUE_NAMES = ("exams", CALLBACKS, "assignments", "regrades", INTEGRITY)
