"""nearhome: keep mental health inpatient care close to home."""

__version__ = "0.1.0"

from nearhome.memory import avoid_huge_page_stalls

avoid_huge_page_stalls()  # before anything allocates large arrays

from nearhome.data.warehouse import Warehouse, connect  # noqa: E402
from nearhome.metrics import catalogue as catalogue  # noqa: E402
from nearhome.metrics import run_metrics as run_metrics  # noqa: E402

__all__ = ["Warehouse", "__version__", "connect"]
