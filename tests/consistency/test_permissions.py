"""Every route declares one action, and the role × route matrix follows ROLE_ACTIONS exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from nearhome.board.scope import Scope, ScopeKind
from nearhome.web.deps import Authorize
from nearhome.web.harness import BoardHarness, build_harness, sign_in
from nearhome.web.permissions import (
    PERSON_LEVEL_ACTIONS,
    ROLE_ACTIONS,
    Action,
    Role,
    can,
    menu_for,
    scope_for,
)

USERS = {
    Role.WARD_STAFF: "ward",
    Role.FLOW_MANAGER: "flow",
    Role.ICB_CASE_MANAGER: "case",
    Role.ANALYST: "analyst",
    Role.ADMIN: "admin",
}


def declared_actions(route: APIRoute) -> list[Action]:
    return [
        d.call.action
        for d in route.dependant.dependencies
        if isinstance(d.call, Authorize)
    ]


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoardHarness]:
    built = build_harness(
        f"sqlite:///{tmp_path_factory.mktemp('perm') / 'board.sqlite'}"
    )
    built.add_standard_users()
    yield built
    built.database.dispose()


@pytest.fixture(scope="module")
def clients(harness: BoardHarness) -> Iterator[dict[Role, tuple[TestClient, str]]]:
    made = {}
    for role, username in USERS.items():
        client = TestClient(harness.app)
        made[role] = (client, sign_in(client, username))
    yield made
    for client, _ in made.values():
        client.close()


def routes(harness: BoardHarness) -> list[APIRoute]:
    """Every API route, including those of included routers."""
    found: list[APIRoute] = []
    for route in harness.app.routes:
        if isinstance(route, APIRoute):
            found.append(route)
        router = getattr(route, "original_router", None)
        if router is not None:
            found.extend(r for r in router.routes if isinstance(r, APIRoute))
    assert found
    return found


def test_every_route_declares_exactly_one_action(harness):
    for route in routes(harness):
        assert len(declared_actions(route)) == 1, (
            f"{route.path} declares {declared_actions(route)}"
        )


def test_every_action_is_used_by_a_route(harness):
    used = {declared_actions(route)[0] for route in routes(harness)}
    assert used == set(Action)


def test_planning_and_admin_roles_have_no_person_level_action():
    assert not ROLE_ACTIONS[Role.ANALYST] & PERSON_LEVEL_ACTIONS
    assert not ROLE_ACTIONS[Role.ADMIN] & PERSON_LEVEL_ACTIONS
    assert Action.EDIT_BOARD not in ROLE_ACTIONS[Role.ICB_CASE_MANAGER]


def test_every_role_has_a_reachable_home_and_menu():
    for role in Role:
        assert menu_for(role.value)
        assert Action.SIGN_OUT in ROLE_ACTIONS[role]
    assert not can("stranger", Action.VIEW_BOARD)


def test_scope_per_role():
    class U:
        def __init__(self, role, provider=None, icb=None, wards=()):
            self.role, self.provider_code, self.icb_code, self.ward_codes = (
                role,
                provider,
                icb,
                wards,
            )

    assert scope_for(U("ward_staff", wards=("W1",))) == Scope(ScopeKind.WARDS, ("W1",))
    assert scope_for(U("flow_manager", provider="RNH")) == Scope(
        ScopeKind.PROVIDER, ("RNH",)
    )
    assert scope_for(U("icb_case_manager", icb="QNH")) == Scope(ScopeKind.ICB, ("QNH",))
    assert scope_for(U("ward_staff")).is_empty
    assert scope_for(U("admin")).is_empty


def concrete(path: str, spell: str) -> str:
    return (
        path.replace("{spell_id}", spell)
        .replace("{barrier_id}", "1")
        .replace("{user_id}", "1")
    )


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_route_matrix(harness, clients, role):
    client, csrf = clients[role]
    spell = str(
        harness.app.state.context.census.census(
            Scope.of(ScopeKind.WARDS, ["W01"]), harness.today
        )[0]["spell_id"]
    )
    checked = 0
    for route in routes(harness):
        action = declared_actions(route)[0]
        if action in {Action.PUBLIC, Action.SIGN_OUT}:
            continue
        for method in route.methods - {"HEAD"}:
            url = concrete(route.path, spell)
            if method == "GET":
                response = client.get(url, follow_redirects=False)
            else:
                response = client.post(
                    url,
                    data={"csrf_token": csrf, "version": "0"},
                    headers={"X-CSRF-Token": csrf},
                    follow_redirects=False,
                )
            allowed = action in ROLE_ACTIONS[role]
            if allowed:
                assert response.status_code not in {401, 403}, (
                    f"{role} {method} {url} -> {response.status_code}"
                )
            else:
                assert response.status_code == 403, (
                    f"{role} {method} {url} -> {response.status_code}"
                )
            checked += 1
    assert checked >= 20


def test_signed_out_is_refused_everywhere_but_public_routes(harness):
    client = TestClient(harness.app)
    for route in routes(harness):
        action = declared_actions(route)[0]
        if action is Action.PUBLIC:
            continue
        for method in route.methods - {"HEAD"}:
            url = concrete(route.path, "S000001")
            response = client.request(method, url, follow_redirects=False)
            assert response.status_code in {401, 303}, (
                f"{method} {url} -> {response.status_code}"
            )


def test_docs_name_every_role_and_action():
    doc = Path(__file__).parents[2] / "docs" / "how-to" / "board.md"
    text = doc.read_text(encoding="utf-8")
    for role in Role:
        assert f"`{role.value}`" in text
    for action in Action:
        assert f"`{action.value}`" in text
