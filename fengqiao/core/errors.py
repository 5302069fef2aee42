"""The one exception a domain refusal raises; its message is already translated."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refuses the action.

    `code` is stable (for the API and tests); `message` is for the user, in their
    language; `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
