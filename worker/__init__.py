"""RQ jobs and the worker process: grading submissions, re-enqueueing what the queue lost."""
