"""The shared library beneath the gates: one concern per module, no module imports a gate."""
