"""The pure core of proctored, timed exams: specs, per-learner variants, the clock, attempt states.

Like ``grader/``, nothing here does I/O or reads the clock or a random source: the exam spec
arrives as text and bytes, every time is an argument and every variant is drawn from a seed
the caller stores with the attempt, so that a regrade or an audit can replay it exactly.
"""
