"""platform-gates: pre-commit quality gates recorded in the platform-mode execution log."""
