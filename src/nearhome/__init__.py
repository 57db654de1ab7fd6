"""nearhome: keep mental health inpatient care close to home."""

__version__ = "0.1.0"
