"""Docker sandboxes: one fresh, hardened container per submission, driven over its attach stream."""
