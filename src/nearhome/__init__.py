"""nearhome: keep mental health inpatient care close to home."""

__version__ = "0.1.0"

from nearhome.data.warehouse import Warehouse, connect

__all__ = ["Warehouse", "__version__", "connect"]
