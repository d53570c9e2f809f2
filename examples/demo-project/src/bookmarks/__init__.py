"""A tiny bookmark store: the example project the platform-gates demo commits to."""
