"""Content fingerprints of a warehouse, to prove a failed load changed nothing."""

from __future__ import annotations

import hashlib

from nearhome.data.warehouse import Warehouse


def fingerprint(warehouse: Warehouse) -> dict[str, str]:
    """SHA-256 of every table's rows, independent of row order."""
    prints = {}
    for name in warehouse.list_tables():
        frame = warehouse.execute(warehouse.table(name))
        rows = sorted(frame.astype(str).itertuples(index=False, name=None))
        prints[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints
