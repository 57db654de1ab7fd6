"""Checking what people type into the board before anything is saved.

Every check runs and every problem is collected, so one reply lists all of them (a form shows
each next to its field). Problems raise :class:`~nearhome.errors.ValidationFailed` carrying a
list of :class:`FieldError`; nothing is written unless the whole input is valid.

Free text is plain text: markup (``<script>``, ``<b>``, ...) and control characters are
refused with a clear message, and pages escape every value anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from nearhome.errors import ValidationFailed

MAX_FUTURE = timedelta(days=2 * 365)
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|&#|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, in words a user can act on."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The JSON form used in API error replies."""
        return {"field": self.field, "message": self.message}


@dataclass
class FormReader:
    """Reads fields from a submitted form, collecting every problem on the way."""

    form: Mapping[str, str]
    today: date
    errors: list[FieldError] = field(default_factory=list)

    def fail(self, name: str, message: str) -> None:
        """Record a problem with ``name``."""
        self.errors.append(FieldError(name, message))

    def raw(self, name: str) -> str:
        """The submitted text, trimmed ("" when absent)."""
        value = self.form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def text(
        self, name: str, label: str, *, max_length: int, required: bool = False
    ) -> str | None:
        """Plain text: no markup, no control characters, at most ``max_length`` characters."""
        value = self.raw(name).replace("\r\n", "\n")
        if not value:
            if required:
                self.fail(name, f"Enter {label.lower()}.")
            return None
        if len(value) > max_length:
            self.fail(
                name,
                f"{label} must be {max_length} characters or fewer (it has {len(value)}).",
            )
        elif _MARKUP.search(value):
            self.fail(
                name,
                f"{label} must be plain text: remove anything written like <tag> or &#.",
            )
        elif _CONTROL.search(value):
            self.fail(
                name, f"{label} contains characters that cannot be stored; retype it."
            )
        return value

    def choice(
        self,
        name: str,
        label: str,
        options: Mapping[str, str],
        *,
        required: bool = False,
    ) -> str | None:
        """One of ``options``' keys, or ``None`` when left blank."""
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, f"Choose {label.lower()}.")
            return None
        if value not in options:
            self.fail(
                name, f"{label}: '{value[:20]}' is not one of the listed options."
            )
            return None
        return value

    def date(
        self,
        name: str,
        label: str,
        *,
        rules: tuple[DateRule, ...] = (),
        required: bool = False,
    ) -> date | None:
        """A date as ``YYYY-MM-DD`` (date pickers) or ``DD/MM/YYYY`` (typed), checked by ``rules``."""
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, f"Enter {label.lower()}.")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(name, f"{label} must be a real date, like {self.today:%d/%m/%Y}.")
            return None
        for rule in rules:
            problem = rule(parsed, self.today)
            if problem:
                self.fail(name, f"{label} {problem}.")
                return None
        return parsed

    def integer(self, name: str, label: str) -> int:
        """A whole number (hidden fields such as ``version``); 0 when absent."""
        value = self.raw(name)
        if not value:
            return 0
        if not value.isdigit() or len(value) > 9:
            self.fail(name, f"{label} must be a whole number.")
            return 0
        return int(value)

    def check(self) -> None:
        """Raise every problem found so far at once.

        Raises:
            ValidationFailed: at least one problem was recorded.
        """
        if self.errors:
            count = len(self.errors)
            noun = "problem" if count == 1 else "problems"
            raise ValidationFailed(
                f"There {'is' if count == 1 else 'are'} {count} {noun} with what was entered.",
                report=list(self.errors),
                hint="Nothing has been saved. Correct the fields listed and save again.",
            )


DateRule = Callable[[date, date], str | None]


def parse_date(value: str) -> date | None:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` as a date, or ``None`` if it is not a real date."""
    try:
        match = _UK_DATE.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def not_in_past(value: date, today: date) -> str | None:
    """Dates such as an expected discharge cannot be before today."""
    return "cannot be in the past" if value < today else None


def not_in_future(value: date, today: date) -> str | None:
    """Dates of things that have happened cannot be after today."""
    return "cannot be in the future" if value > today else None


def within_two_years(value: date, today: date) -> str | None:
    """Plans more than two years ahead are almost always typing mistakes."""
    return "must be within two years from today" if value > today + MAX_FUTURE else None


def on_or_after(earliest: date, what: str) -> DateRule:
    """A rule: not before ``earliest`` (e.g. the admission date)."""

    def rule(value: date, _today: date) -> str | None:
        return (
            f"cannot be before {what} ({earliest:%d/%m/%Y})"
            if value < earliest
            else None
        )

    return rule
