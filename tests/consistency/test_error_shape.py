"""Every NearhomeError maps to its status, and every error reply has the one shape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

import nearhome.errors as domain
from nearhome.errors import NearhomeError
from nearhome.web.errors import (
    ERROR_STATUS,
    SignInRequired,
    TooManyAttempts,
    status_for,
)
from nearhome.web.harness import BoardHarness, build_harness, sign_in

EXPECTED = {
    domain.NotFound: 404,
    domain.PermissionDenied: 403,
    domain.ValidationFailed: 422,
    domain.Conflict: 409,
    SignInRequired: 401,
    TooManyAttempts: 429,
}
SHAPE = {"ok", "error", "errors", "status"}


def all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(all_subclasses(sub))
    return found


ERRORS = sorted(
    {c for c in all_subclasses(NearhomeError) if c.__module__.startswith("nearhome")},
    key=lambda c: c.__name__,
)


def make(cls: type) -> NearhomeError:
    if issubclass(cls, domain.ValidationFailed):
        return cls("bad input", report=[])
    try:
        return cls("something the user can fix", hint="a hint")
    except TypeError:
        pytest.skip(f"{cls.__name__} needs extra arguments")


def expected_status(cls: type) -> int:
    for base, status in EXPECTED.items():
        if issubclass(cls, base):
            return status
    return 400


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoardHarness]:
    built = build_harness(
        f"sqlite:///{tmp_path_factory.mktemp('err') / 'board.sqlite'}", n_inpatients=30
    )
    built.add_user("ward", "ward_staff", wards=("W01",))

    async def raise_named(name: str) -> None:
        if name == "Exception":
            raise RuntimeError("an unexpected bug")
        raise make(next(c for c in ERRORS if c.__name__ == name))

    built.app.add_api_route("/api/test-raise/{name}", raise_named)
    built.app.add_api_route("/test-raise/{name}", raise_named)
    yield built
    built.database.dispose()


def test_table_covers_the_documented_classes():
    table = dict(ERROR_STATUS)
    assert table[domain.NotFound] == 404 and table[domain.PermissionDenied] == 403
    assert table[domain.ValidationFailed] == 422 and table[domain.Conflict] == 409
    assert table[NearhomeError] == 400
    assert ERROR_STATUS[-1][0] is NearhomeError  # the catch-all comes last


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_class_maps_to_its_status(cls):
    assert status_for(make(cls)) == expected_status(cls)


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_class_has_the_json_shape(harness, cls):
    client = TestClient(harness.app)
    response = client.get(f"/api/test-raise/{cls.__name__}")
    body = response.json()
    assert set(body) >= SHAPE
    assert body["ok"] is False and body[
        "status"
    ] == response.status_code == expected_status(cls)
    assert (
        isinstance(body["error"], str)
        and isinstance(body["errors"], list)
        and body["errors"]
    )


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_browser_routes_render_an_error_page(harness, cls):
    client = TestClient(harness.app)
    response = client.get(
        f"/test-raise/{cls.__name__}",
        headers={"accept": "text/html"},
        follow_redirects=False,
    )
    status = expected_status(cls)
    if status == 401:
        assert response.status_code == 303
        return
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]
    assert "nhsuk-heading-l" in response.text


def test_unexpected_errors_are_500_with_a_request_id(harness):
    client = TestClient(harness.app, raise_server_exceptions=False)
    response = client.get("/api/test-raise/Exception")
    body = response.json()
    assert response.status_code == 500 and body["status"] == 500 and body["ok"] is False
    assert body["request_id"] in body["error"]
    assert (
        "RuntimeError" not in response.text and "an unexpected bug" not in response.text
    )
    page = client.get("/test-raise/Exception")
    assert page.status_code == 500 and "Reference" in page.text


def test_framework_errors_share_the_shape(harness):
    client = TestClient(harness.app)
    sign_in(client, "ward")
    for response, status in (
        (client.get("/api/nowhere"), 404),
        (client.get("/api/patients/NOT-A-SPELL"), 404),
        (client.put("/api/board"), 405),
        (client.get("/patients/S000001/barriers"), 405),
    ):
        assert response.status_code == status
        if response.headers["content-type"].startswith("application/json"):
            assert set(response.json()) >= SHAPE
