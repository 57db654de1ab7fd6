"""Official public-health statistics and Making Data Count SPC, on plain frames.

``from nearhome import stats`` gives analysts the methods of the PHE/OHID technical
guidance and of NHS England's Making Data Count programme. Every statistic returns a
tidy pandas frame with ``value, lower, upper, confidence, method, suppressed_reason``;
none raises on zero events or a zero population.
"""

from nearhome.stats.inequality import sii
from nearhome.stats.populations import esp2013
from nearhome.stats.rates import mean, proportion, rate
from nearhome.stats.ratios import rate_ratio
from nearhome.stats.spc import SpcResult, assurance, xmr
from nearhome.stats.standardise import dsr, isr

__all__ = [
    "SpcResult",
    "assurance",
    "dsr",
    "esp2013",
    "isr",
    "mean",
    "proportion",
    "rate",
    "rate_ratio",
    "sii",
    "xmr",
]
