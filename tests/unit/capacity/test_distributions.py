"""Length-of-stay distributions: means, conditional residuals, equilibrium, CRFD split."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearhome.capacity.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Lognormal,
)

U = np.random.default_rng(5).random(200_000)
U2 = np.random.default_rng(6).random(200_000)


@pytest.mark.parametrize(
    "dist",
    [
        Exponential(mean_days=35.0),
        Lognormal(mean_days=35.0, sd_days=50.0),
        Deterministic(days=35.0),
        Empirical(clinical_days=(10.0, 20.0, 75.0)),
    ],
)
def test_sampled_mean_and_limited_mean(dist: object) -> None:
    d = dist  # type: ignore[assignment]
    assert d.quantile(U).mean() == pytest.approx(d.mean, rel=0.03)  # type: ignore[attr-defined]
    assert float(d.limited_mean(np.array([1e9]))[0]) == pytest.approx(d.mean, rel=1e-6)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "dist", [Exponential(mean_days=35.0), Lognormal(mean_days=35.0, sd_days=50.0)]
)
def test_equilibrium_mean_is_second_moment_over_twice_mean(dist: object) -> None:
    d = dist  # type: ignore[assignment]
    stays = d.quantile(U)  # type: ignore[attr-defined]
    expected = float((stays**2).mean() / (2 * stays.mean()))
    assert d.equilibrium(U, U2).mean() == pytest.approx(expected, rel=0.05)  # type: ignore[attr-defined]


def test_lognormal_residual_is_conditional() -> None:
    d = Lognormal(mean_days=30.0, sd_days=30.0)
    stays = d.quantile(U)
    for elapsed in (0.0, 20.0, 100.0):
        expected = float((stays[stays > elapsed] - elapsed).mean())
        got = d.residual(np.full(U.size, elapsed), U2).mean()
        assert got == pytest.approx(expected, rel=0.06)
    assert np.all(d.residual(np.array([1e5]), np.array([0.5])) > 0)


def test_empirical_residual_and_tail() -> None:
    d = Empirical(
        clinical_days=(1.0, 2.0, 3.0, 10.0, 50.0),
        crfd_days={"housing": (0.0, 0.0, 1.0, 5.0, 20.0)},
    )
    assert d.totals.tolist() == [1.0, 2.0, 4.0, 15.0, 70.0]
    assert d.residual(np.array([30.0]), np.array([0.5])).tolist() == [40.0]
    assert (
        d.residual(np.array([100.0]), np.array([0.5]))[0] > 0
    )  # beyond the longest stay: the tail
    assert d.equilibrium(np.array([0.999]), np.array([1.0]))[0] == 70.0


def test_components_split_crfd_days() -> None:
    emp = Empirical(
        clinical_days=(10.0, 20.0),
        crfd_days={"housing": (4.0, 0.0), "social_care": (0.0, 6.0)},
    )
    parts = emp.components(np.array([0.1, 0.9]), {"housing": 0.5})
    assert parts.clinical.tolist() == [10.0, 20.0]
    assert parts.crfd.tolist() == [4.0, 6.0]
    assert parts.removable.tolist() == [2.0, 0.0]
    par = Exponential(mean_days=10.0, crfd_share={"housing": 0.2})
    p = par.components(np.array([0.5]), {"housing": 1.0})
    assert p.clinical[0] + p.crfd[0] == pytest.approx(par.quantile(np.array([0.5]))[0])
    assert p.removable[0] == pytest.approx(p.crfd[0])


def test_empirical_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Empirical(clinical_days=())
    with pytest.raises(ValueError, match="housing"):
        Empirical(clinical_days=(1.0,), crfd_days={"housing": (1.0, 2.0)})


@settings(max_examples=50, deadline=None)
@given(st.floats(0.01, 0.99), st.floats(0.0, 500.0))
def test_residuals_are_positive(u: float, elapsed: float) -> None:
    for d in (
        Exponential(mean_days=20.0),
        Lognormal(mean_days=20.0, sd_days=25.0),
        Deterministic(days=20.0),
        Empirical(clinical_days=(3.0, 9.0, 40.0)),
    ):
        assert d.residual(np.array([elapsed]), np.array([u]))[0] > 0
