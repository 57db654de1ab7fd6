"""The "what good looks like" scorecard: eight principles, each judged on its evidence.

Each principle (Humane, Valuing, Accessible, Governance, Equitable, Therapeutic,
Collaborative, Citizenship) maps to indicators in a TOML file; the default mapping is
package data (``scorecard.toml``) and an ICB can give its own. An indicator names where
its figure comes from, which direction is better and two thresholds:

* ``metric`` — a catalogue measure over the reporting year, optionally one level of a
  breakdown, optionally divided by another measure (``per``) and scaled;
* ``share`` — the % of a measure's total that falls in (or outside) some levels of a
  breakdown (data completeness, % of bed days within 50 km);
* ``rate_ratio`` — one group's rate over a reference group's, with its interval
  (detention rate, Black vs White);
* ``board`` — a share recorded on the daily discharge board (carer involvement).

An indicator at or better than ``green`` is green, at or better than ``amber`` amber,
otherwise red; one without a figure (not in the data, suppressed, no board database) is
"no data" and says why. A principle takes its worst indicator's status, ignoring those
without data, and is "no data" when none has any: a scorecard should never look better
because evidence is missing, so the reason is always printed beside it.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nearhome.errors import InvalidConfig

__all__ = [
    "Evidence",
    "Indicator",
    "Principle",
    "Reading",
    "Scorecard",
    "Scored",
    "default_scorecard",
    "load_scorecard",
    "score",
    "status_of",
]

Status = Literal["green", "amber", "red", "no_data"]
ORDER: dict[str, int] = {"red": 0, "amber": 1, "green": 2}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Indicator(_Model):
    """One piece of evidence for a principle."""

    label: str = Field(min_length=1)
    source: Literal["metric", "share", "rate_ratio", "board"]
    measure: str | None = Field(
        None, description="Metric id (not for board indicators)."
    )
    breakdown: str | None = None
    level: str | None = Field(None, description="One level of the breakdown (metric).")
    levels: list[str] = Field(
        default_factory=list, description="Levels counted (share)."
    )
    exclude: bool = Field(False, description="Share: count the levels NOT listed.")
    per: str | None = Field(None, description="Metric: divide by this measure's total.")
    scale: float = Field(1.0, gt=0.0)
    group: str | None = Field(None, description="Rate ratio: the group compared.")
    reference: str | None = Field(None, description="Rate ratio: the reference group.")
    field: str | None = Field(None, description="Board: the field (carer_involved).")
    answer: str = Field("recorded", description="Board: 'recorded' or one answer code.")
    unit: str = Field("", description="Words after the value (%, per 1,000 bed days).")
    decimals: int = Field(1, ge=0, le=3)
    better: Literal["higher", "lower"]
    green: float
    amber: float

    @model_validator(mode="after")
    def _fields_for_source(self) -> Indicator:
        needs = {
            "metric": ("measure",),
            "share": ("measure", "breakdown"),
            "rate_ratio": ("measure", "breakdown", "group", "reference"),
            "board": ("field",),
        }[self.source]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"source '{self.source}' needs {', '.join(missing)}")
        if self.source == "share" and not self.levels:
            raise ValueError("source 'share' needs levels")
        worse_green = (
            self.green < self.amber
            if self.better == "higher"
            else self.green > self.amber
        )
        if worse_green:
            raise ValueError(
                f"green must be at least as good as amber when {self.better} is better"
            )
        return self


class Principle(_Model):
    """One of the eight principles and its indicators."""

    key: str = Field(pattern=r"^[a-z][a-z_]*$")
    title: str
    description: str = ""
    indicators: list[Indicator] = Field(default_factory=list)


class Scorecard(_Model):
    """Principles in reading order."""

    title: str = "What good looks like"
    principles: list[Principle] = Field(min_length=1)


@dataclass(frozen=True)
class Reading:
    """An indicator's figure: a number (or ``*``) with an optional interval, or why not."""

    value: float | str | None
    lower: float | None = None
    upper: float | None = None
    reason: str = ""


class Evidence(Protocol):
    """Where indicator figures come from (the report builds one from its results)."""

    def figure(self, indicator: Indicator) -> Reading:
        """The indicator's figure, already disclosure-controlled."""
        ...


@dataclass(frozen=True)
class Scored:
    """An indicator with its figure and status."""

    principle: Principle
    indicator: Indicator
    figure: Reading
    status: Status


def status_of(indicator: Indicator, value: float | str | None) -> Status:
    """Green, amber or red against the thresholds; no data for a missing or ``*`` figure.

    Examples:
        >>> i = Indicator(label="x", source="board", field="f", better="higher",
        ...               green=80, amber=60)
        >>> [status_of(i, v) for v in (85.0, 70.0, 10.0, "*", None)]
        ['green', 'amber', 'red', 'no_data', 'no_data']
    """
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or math.isnan(value)
    ):
        return "no_data"
    if indicator.better == "higher":
        good = value >= indicator.green
        fair = value >= indicator.amber
    else:
        good = value <= indicator.green
        fair = value <= indicator.amber
    return "green" if good else "amber" if fair else "red"


def principle_status(statuses: list[Status]) -> Status:
    """The worst status among indicators with data; no data when none has any."""
    known = [s for s in statuses if s != "no_data"]
    if not known:
        return "no_data"
    return min(known, key=lambda s: ORDER[s])


def score(card: Scorecard, evidence: Evidence) -> list[Scored]:
    """Every indicator of every principle with its figure and status, in order."""
    out = []
    for principle in card.principles:
        for indicator in principle.indicators:
            figure = evidence.figure(indicator)
            out.append(
                Scored(principle, indicator, figure, status_of(indicator, figure.value))
            )
    return out


def _parse(data: dict[str, object], source: str) -> Scorecard:
    try:
        return Scorecard.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc']) or '(top level)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise InvalidConfig(
            f"{source} is not a valid scorecard:\n  " + "\n  ".join(problems),
            hint="Start from the default: nearhome/reports/scorecard.toml.",
        ) from None


def default_scorecard() -> Scorecard:
    """The scorecard shipped with nearhome (illustrative thresholds; set your own)."""
    text = (
        resources.files("nearhome.reports")
        .joinpath("scorecard.toml")
        .read_text("utf-8")
    )
    return _parse(tomllib.loads(text), "the default scorecard")


def load_scorecard(path: str | Path) -> Scorecard:
    """Read and validate a scorecard TOML file.

    Raises:
        InvalidConfig: the file is missing, not TOML, or not a valid scorecard.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidConfig(f"Scorecard file {file} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidConfig(f"Scorecard file {file} is not valid TOML: {exc}") from None
    return _parse(data, str(file))
