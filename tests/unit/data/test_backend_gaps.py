"""What a backend cannot do surfaces as BackendUnsupported, naming the backend."""

from __future__ import annotations

import ibis
import ibis.common.exceptions as ibis_exc
import pytest

from nearhome.data.warehouse import connect
from nearhome.errors import BackendUnsupported


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise ibis_exc.OperationNotDefinedError("Median")


@pytest.mark.parametrize(
    ("method", "backend_call", "doing"),
    [
        ("execute", "execute", "run this expression"),
        ("to_arrow", "to_pyarrow", "run this expression"),
    ],
)
def test_running_what_the_backend_lacks_names_it(
    monkeypatch: pytest.MonkeyPatch, method: str, backend_call: str, doing: str
) -> None:
    warehouse = connect("duckdb://")
    monkeypatch.setattr(warehouse.backend, backend_call, _refuse)
    expr = ibis.memtable({"x": [1, 2]})

    with pytest.raises(
        BackendUnsupported, match=f"The duckdb backend cannot {doing}: Median"
    ):
        getattr(warehouse, method)(expr)


def test_materialising_what_the_backend_lacks_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warehouse = connect("duckdb://")
    expr = ibis.memtable({"x": [1]})
    monkeypatch.setattr(type(expr), "cache", _refuse)

    with pytest.raises(
        BackendUnsupported,
        match="The duckdb backend cannot materialise this expression",
    ):
        warehouse.cache(expr)


def test_arrow_results_are_the_same_rows_as_pandas() -> None:
    warehouse = connect("duckdb://")
    expr = ibis.memtable({"x": [1, 2, 3], "y": ["a", None, "c"]})

    table = warehouse.to_arrow(expr)

    assert table.to_pydict() == {"x": [1, 2, 3], "y": ["a", None, "c"]}
