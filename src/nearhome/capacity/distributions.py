"""Length-of-stay distributions, sampled by inverse transform.

Every draw is made from a uniform number through the distribution's quantile function.
That is what makes common random numbers work across scenarios: the same uniform gives
the same rank of stay, so a scenario that shortens stays shortens *the same* stays and the
difference between two scenarios is the lever, not the dice.

Each distribution also knows three things the simulation needs beyond plain sampling:

* ``residual``: the remaining stay of someone already in a bed for ``elapsed`` days (the
  census at the start of a plan is not an empty ward);
* ``equilibrium``: the remaining stay of a patient found in a bed at a random moment in
  steady state (used to start a ward already in balance);
* ``limited_mean``: ``E[min(LOS, x)]``, which gives the seasonal mean occupancy.

A stay can carry days when the person was clinically ready for discharge (CRFD), by reason
group: :meth:`components` splits a stay into clinical days and CRFD days so levers can remove
a share of the delay without touching the treatment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr, ndtri

__all__ = [
    "Deterministic",
    "Empirical",
    "Exponential",
    "LengthOfStay",
    "Lognormal",
    "StayComponents",
]

FloatArray = NDArray[np.float64]
MIN_RESIDUAL_DAYS = 1e-6


@dataclass(frozen=True, kw_only=True)
class StayComponents:
    """Stays split into clinical days, CRFD days and the CRFD days a lever may remove."""

    clinical: FloatArray
    crfd: FloatArray
    removable: FloatArray


def _as_array(values: object) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True, kw_only=True)
class LengthOfStay:
    """Base for every distribution: the share of each stay spent ready for discharge.

    ``crfd_share`` maps a reason group (``housing``, ``social_care``…) to the average share
    of a stay spent delayed for that reason; parametric distributions split each stay in
    these proportions.
    """

    crfd_share: Mapping[str, float] = field(default_factory=dict)

    @property
    def mean(self) -> float:
        """Mean stay in days."""
        raise NotImplementedError

    def quantile(self, u: FloatArray) -> FloatArray:
        """Stay in days at probability ``u`` (inverse CDF), vectorised."""
        raise NotImplementedError

    def residual(self, elapsed: FloatArray, u: FloatArray) -> FloatArray:
        """Remaining days for people in a bed for ``elapsed`` days, given uniforms ``u``."""
        raise NotImplementedError

    def equilibrium(self, u1: FloatArray, u2: FloatArray) -> FloatArray:
        """Remaining days of a patient found in a bed at a random moment (steady state)."""
        raise NotImplementedError

    def limited_mean(self, x: FloatArray) -> FloatArray:
        """``E[min(LOS, x)]`` for each ``x``."""
        raise NotImplementedError

    def components(
        self, u: FloatArray, removal: Mapping[str, float] | None = None
    ) -> StayComponents:
        """Split the stays at ``u`` into clinical and CRFD days.

        ``removal`` maps a reason group to the share of its CRFD days a lever removes
        (``{"housing": 0.5}``); only those days are reported as removable.
        """
        total = self.quantile(u)
        share = sum(self.crfd_share.values())
        if share == 0:
            none = np.zeros(total.shape)
            return StayComponents(clinical=total, crfd=none, removable=none)
        removal = removal or {}
        removable_share = sum(
            s * removal.get(g, 0.0) for g, s in self.crfd_share.items()
        )
        return StayComponents(
            clinical=total * (1.0 - share),
            crfd=total * share,
            removable=total * removable_share,
        )


@dataclass(frozen=True, kw_only=True)
class Exponential(LengthOfStay):
    """Exponential stays: memoryless, the textbook M/M/c case."""

    mean_days: float = 1.0

    @property
    def mean(self) -> float:
        """Mean stay in days."""
        return self.mean_days

    def quantile(self, u: FloatArray) -> FloatArray:
        """Stay in days at probability ``u``: ``-mean * log1p(-u)``.

        Worked in one array (a batch's visits are a few megabytes; each temporary cost a
        pass and fresh pages); the same numbers as the expression written out.
        """
        x = _as_array(u)
        out = np.negative(x, out=np.empty(x.shape))
        np.log1p(out, out=out)
        out *= -self.mean_days
        return out

    def residual(self, elapsed: FloatArray, u: FloatArray) -> FloatArray:
        """Memoryless: the remaining stay does not depend on time already spent."""
        del elapsed
        return np.maximum(self.quantile(u), MIN_RESIDUAL_DAYS)

    def equilibrium(self, u1: FloatArray, u2: FloatArray) -> FloatArray:
        """Memoryless: the equilibrium residual is the stay distribution itself."""
        del u2
        return self.quantile(u1)

    def limited_mean(self, x: FloatArray) -> FloatArray:
        """``m (1 - exp(-x/m))``."""
        return self.mean_days * -np.expm1(-_as_array(x) / self.mean_days)


@dataclass(frozen=True, kw_only=True)
class Lognormal(LengthOfStay):
    """Lognormal stays given by their mean and standard deviation in days."""

    mean_days: float = 1.0
    sd_days: float = 1.0

    @property
    def sigma(self) -> float:
        """Standard deviation of log stay."""
        return math.sqrt(math.log1p((self.sd_days / self.mean_days) ** 2))

    @property
    def mu(self) -> float:
        """Mean of log stay."""
        return math.log(self.mean_days) - self.sigma**2 / 2.0

    @property
    def mean(self) -> float:
        """Mean stay in days."""
        return self.mean_days

    def quantile(self, u: FloatArray) -> FloatArray:
        """Stay in days at probability ``u``."""
        return _as_array(np.exp(self.mu + self.sigma * ndtri(_as_array(u))))

    def residual(self, elapsed: FloatArray, u: FloatArray) -> FloatArray:
        """Sample the stay beyond ``elapsed`` through the survival function (tail-accurate)."""
        elapsed = _as_array(elapsed)
        with np.errstate(divide="ignore"):
            z = (np.log(np.maximum(elapsed, 0.0)) - self.mu) / self.sigma
        tail = ndtr(-z) * (1.0 - _as_array(u))
        total = np.exp(self.mu - self.sigma * ndtri(np.maximum(tail, 1e-300)))
        return _as_array(np.maximum(total - elapsed, MIN_RESIDUAL_DAYS))

    def equilibrium(self, u1: FloatArray, u2: FloatArray) -> FloatArray:
        """Length-biased lognormal is lognormal(mu + sigma², sigma); residual is U × that."""
        biased = np.exp(self.mu + self.sigma**2 + self.sigma * ndtri(_as_array(u1)))
        return _as_array(_as_array(u2) * biased)

    def limited_mean(self, x: FloatArray) -> FloatArray:
        """Closed form of ``E[min(L, x)]`` for a lognormal."""
        x = _as_array(x)
        with np.errstate(divide="ignore"):
            z = (np.log(np.maximum(x, 0.0)) - self.mu) / self.sigma
        return _as_array(self.mean_days * ndtr(z - self.sigma) + x * ndtr(-z))


@dataclass(frozen=True, kw_only=True)
class Deterministic(LengthOfStay):
    """Every stay is exactly ``days`` long (the other extreme from exponential)."""

    days: float = 1.0

    @property
    def mean(self) -> float:
        """Mean stay in days."""
        return self.days

    def quantile(self, u: FloatArray) -> FloatArray:
        """Every stay has the same length."""
        return np.full(np.shape(u), self.days, dtype=np.float64)

    def residual(self, elapsed: FloatArray, u: FloatArray) -> FloatArray:
        """What is left of the fixed stay (a tiny positive number if overdue)."""
        del u
        return np.maximum(self.days - _as_array(elapsed), MIN_RESIDUAL_DAYS)

    def equilibrium(self, u1: FloatArray, u2: FloatArray) -> FloatArray:
        """Uniform on (0, days)."""
        del u2
        return _as_array(u1) * self.days

    def limited_mean(self, x: FloatArray) -> FloatArray:
        """``min(days, x)``."""
        return np.minimum(_as_array(x), self.days)


@dataclass(frozen=True, kw_only=True)
class Empirical(LengthOfStay):
    """Observed stays, resampled; clinical and CRFD days by reason group kept apart.

    ``clinical_days[i] + Σ_g crfd_days[g][i]`` is stay ``i``. Stays are kept sorted by total
    so the quantile function is monotone (needed for common random numbers).
    """

    clinical_days: tuple[float, ...] = ()
    crfd_days: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check shapes and sort every component by the total stay."""
        n = len(self.clinical_days)
        if n == 0:
            raise ValueError("an empirical distribution needs at least one stay")
        for group, days in self.crfd_days.items():
            if len(days) != n:
                raise ValueError(
                    f"crfd_days[{group!r}] has {len(days)} values, expected {n}"
                )
        clinical = np.asarray(self.clinical_days, dtype=np.float64)
        crfd = {g: np.asarray(v, dtype=np.float64) for g, v in self.crfd_days.items()}
        total = clinical + sum(crfd.values(), np.zeros(n))
        order = np.argsort(total, kind="stable")
        object.__setattr__(self, "clinical_days", tuple(clinical[order].tolist()))
        object.__setattr__(
            self, "crfd_days", {g: tuple(v[order].tolist()) for g, v in crfd.items()}
        )

    @property
    def totals(self) -> FloatArray:
        """Total stay of each observation, sorted ascending."""
        total = np.asarray(self.clinical_days, dtype=np.float64)
        for days in self.crfd_days.values():
            total = total + np.asarray(days, dtype=np.float64)
        return total

    @property
    def mean(self) -> float:
        """Mean stay in days."""
        return float(self.totals.mean())

    def _index(self, u: FloatArray) -> NDArray[np.intp]:
        n = len(self.clinical_days)
        return np.minimum((_as_array(u) * n).astype(np.intp), n - 1)

    def quantile(self, u: FloatArray) -> FloatArray:
        """The observed stay at rank ``u``."""
        return self.totals[self._index(u)]

    def components(
        self, u: FloatArray, removal: Mapping[str, float] | None = None
    ) -> StayComponents:
        """The recorded clinical and CRFD days of the stays at ``u``."""
        idx = self._index(u)
        removal = removal or {}
        crfd = np.zeros(idx.shape)
        removable = np.zeros(idx.shape)
        for group, days in self.crfd_days.items():
            values = np.asarray(days, dtype=np.float64)[idx]
            crfd = crfd + values
            removable = removable + values * removal.get(group, 0.0)
        clinical = np.asarray(self.clinical_days, dtype=np.float64)[idx]
        return StayComponents(clinical=clinical, crfd=crfd, removable=removable)

    def residual(self, elapsed: FloatArray, u: FloatArray) -> FloatArray:
        """Resample among stays longer than ``elapsed``; beyond the longest, an exponential tail.

        The tail's mean is the mean excess of the longest tenth of stays over their
        threshold, so a census patient already beyond every observed stay still leaves.
        """
        totals = self.totals
        elapsed, u = np.broadcast_arrays(_as_array(elapsed), _as_array(u))
        first = np.searchsorted(totals, elapsed, side="right")
        n_longer = totals.size - first
        pick = first + np.minimum(
            (u * n_longer).astype(np.intp), np.maximum(n_longer - 1, 0)
        )
        within = totals[np.minimum(pick, totals.size - 1)] - elapsed
        top = totals[int(0.9 * totals.size) :]
        tail_mean = max(float(np.mean(top - top[0])), 1.0)
        tail = -tail_mean * np.log1p(-u)
        return np.maximum(np.where(n_longer > 0, within, tail), MIN_RESIDUAL_DAYS)

    def equilibrium(self, u1: FloatArray, u2: FloatArray) -> FloatArray:
        """Pick a stay with probability proportional to its length, then a point within it."""
        totals = self.totals
        weights = np.cumsum(totals)
        pick = np.searchsorted(weights, _as_array(u1) * weights[-1], side="right")
        return _as_array(_as_array(u2) * totals[np.minimum(pick, totals.size - 1)])

    def limited_mean(self, x: FloatArray) -> FloatArray:
        """Mean of ``min(stay, x)`` over the observed stays."""
        x = _as_array(x)
        means = np.minimum(self.totals[None, :], x.reshape(-1, 1)).mean(axis=1)
        return _as_array(means.reshape(x.shape))
