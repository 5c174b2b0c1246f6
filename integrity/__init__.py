"""Similarity of learners' answers for academic integrity review: the pure core (no I/O)."""
