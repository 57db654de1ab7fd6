"""The metric catalogue: oversight measures on official definitions, as Ibis expressions.

Public API: :func:`run_metrics` / :func:`run_metric` (the one execution point),
:func:`catalogue` and :func:`get` (the registry), :func:`write_results` and
:func:`write_catalogue` (exports with disclosure control), :func:`apply_policy`.
"""

from nearhome.metrics.disclosure import POLICIES, DisclosurePolicy, apply_policy
from nearhome.metrics.export import write_catalogue, write_results
from nearhome.metrics.registry import MetricSpec, catalogue, get
from nearhome.metrics.run import run_metric, run_metrics

__all__ = [
    "POLICIES",
    "DisclosurePolicy",
    "MetricSpec",
    "apply_policy",
    "catalogue",
    "get",
    "run_metric",
    "run_metrics",
    "write_catalogue",
    "write_results",
]
