"""Exam banks, per-learner variants and the exam clock (issue 6); empty until that lands."""
