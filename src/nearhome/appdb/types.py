"""Column types shared by the board database models.

SQLite keeps timestamps without a zone; PostgreSQL keeps them with one. ``UtcDateTime``
stores UTC on both and always hands back an aware UTC ``datetime``, so comparisons such as
"has this session expired?" behave the same on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Refuse naive datetimes: an unknown zone would silently shift audit times."""
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "UtcDateTime needs an aware datetime"
            raise ValueError(msg)
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self,
        value: Any,
        dialect: Dialect,  # noqa: ARG002 - fixed signature
    ) -> datetime | None:
        """Give back aware UTC whatever the backend returned."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            msg = f"expected a datetime from the database, got {type(value).__name__}"
            raise TypeError(msg)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
