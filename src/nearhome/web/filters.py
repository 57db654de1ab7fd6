"""Jinja filters and globals: dates, days and labels the NHS way ("23 Nov 2026")."""

from __future__ import annotations

from datetime import date, datetime

from fastapi.templating import Jinja2Templates

from nearhome.board.codes import ADVOCACY_OFFERED, CARER_INVOLVED, HOUSING_NEED
from nearhome.board.entries import DAY_STATUS
from nearhome.web.permissions import ROLE_LABELS, Role, menu_for


def nhs_date(value: date | datetime | None, empty: str = "Not set") -> str:
    """``23 Nov 2026``; ``empty`` for nothing."""
    if value is None:
        return empty
    return f"{value.day} {value:%b %Y}"


def nhs_time(value: datetime | None) -> str:
    """``23 Nov 2026, 14:05 UTC``."""
    if value is None:
        return ""
    return f"{nhs_date(value)}, {value:%H:%M} UTC"


def iso(value: date | None) -> str:
    """``2026-11-23`` for date inputs; blank for nothing."""
    return "" if value is None else value.isoformat()


def days(value: int | None) -> str:
    """``1 day``, ``12 days``; blank for nothing."""
    if value is None:
        return ""
    return f"{value} day" if value == 1 else f"{value} days"


def role_label(role: str) -> str:
    """The display name of a role."""
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def install(templates: Jinja2Templates) -> None:
    """Register the filters and the answer sets on a template environment."""
    env = templates.env
    env.filters.update(
        nhs_date=nhs_date, nhs_time=nhs_time, iso=iso, days=days, role_label=role_label
    )
    env.globals.update(
        HOUSING_NEED=HOUSING_NEED,
        CARER_INVOLVED=CARER_INVOLVED,
        ADVOCACY_OFFERED=ADVOCACY_OFFERED,
        DAY_STATUS=DAY_STATUS,
        ROLE_LABELS={r.value: label for r, label in ROLE_LABELS.items()},
        menu_for=menu_for,
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
