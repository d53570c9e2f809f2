"""Adapters that serve one gate each: bandit's pool, the secrets engine, coverage data, the outline cache."""
