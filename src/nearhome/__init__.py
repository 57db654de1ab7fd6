"""nearhome: keep mental health inpatient care close to home."""

__version__ = "0.1.0"

from nearhome.data.warehouse import Warehouse, connect
from nearhome.metrics import catalogue as catalogue
from nearhome.metrics import run_metrics as run_metrics

__all__ = ["Warehouse", "__version__", "connect"]
