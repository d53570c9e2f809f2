"""The one error type that means "could not judge": a gate turns it into exit 2 and one line."""

from __future__ import annotations


class GateError(Exception):
    """Bad input, bad config or a broken tool; the message is the one-line reason shown to the user."""

    def __init__(self, message: str) -> None:
        # One line, always: a reason spread over lines breaks pre-commit's compact output.
        super().__init__(" ".join(message.split()))
