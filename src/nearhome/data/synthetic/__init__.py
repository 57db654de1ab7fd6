"""Seeded generator of synthetic MHSDS-shaped extracts and their reference folders.

The demo, the tests, the docs and the benchmarks run on it. See
``docs/explanation/synthetic-data.md`` for what it simulates and how it is calibrated.
"""

from nearhome.data.synthetic.calibration import DEFAULT_CALIBRATION, Calibration
from nearhome.data.synthetic.extract import (
    SyntheticSummary,
    summarise,
    synthetic_arrow_tables,
    synthetic_tables,
    write_synthetic_extract,
)

__all__ = [
    "DEFAULT_CALIBRATION",
    "Calibration",
    "SyntheticSummary",
    "summarise",
    "synthetic_arrow_tables",
    "synthetic_tables",
    "write_synthetic_extract",
]
