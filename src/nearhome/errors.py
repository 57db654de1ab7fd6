"""The one family of exceptions meant for users.

Every error a user can fix is a :class:`NearhomeError`. Each carries a ``message`` and an
optional ``hint``, both safe to show (they never contain patient values). The CLI and the
web app translate them at the border; domain code never knows about exit codes or HTTP.
"""

from __future__ import annotations

from typing import Any


class NearhomeError(Exception):
    """Root of every user-facing error."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return (
            self.message if self.hint is None else f"{self.message}\nHint: {self.hint}"
        )


class InvalidConfig(NearhomeError):
    """A bad or missing setting; the message names the key and where it came from."""


class DataError(NearhomeError):
    """Something is wrong with input data."""


class SchemaMismatch(DataError):
    """An extract file is missing required columns, or cannot be read as a table."""


class ValidationFailed(DataError):
    """An extract broke error-severity rules; carries the whole validation report."""

    def __init__(self, message: str, *, report: Any, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.report = report


class MetricError(NearhomeError):
    """A metric request cannot be answered."""


class UnknownMetric(MetricError):
    """No metric has this id; the message suggests close ids."""


class UnsupportedBreakdown(MetricError):
    """The metric is not defined for this breakdown."""


class BackendUnsupported(NearhomeError):
    """The chosen backend cannot run this operation."""


class InvalidScenario(NearhomeError):
    """A capacity scenario failed validation; the message lists every problem."""


class ReportFailed(NearhomeError):
    """A report could not be built; names the section and the cause."""


class NotFound(NearhomeError):
    """The thing asked for does not exist (or the caller may not know that it does)."""


class PermissionDenied(NearhomeError):
    """The caller's role does not allow this action."""


class Conflict(NearhomeError):
    """Someone else changed the record first; nothing was saved."""
