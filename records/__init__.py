"""Credit-eligible programme records, the pure core: rules, the history, signing.

A learner's programme record is derived from an append-only history of events (grades,
regrades, overrides, proctoring outcomes, freezes) by a pure fold, so it can always be
recomputed from the history alone and can explain every number. Like ``grader/``, nothing
here does I/O or reads a clock (a test enforces it); ``store/`` keeps the history and
``web/`` serves records.
"""
