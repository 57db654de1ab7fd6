"""Optional OIDC sign-in: off unless configured; the whole code flow with a mock provider."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

from nearhome.errors import InvalidConfig, PermissionDenied
from nearhome.settings import Settings
from nearhome.web.harness import build_harness
from nearhome.web.oidc import OidcAttempt, OidcClient

ISSUER = "https://login.example.nhs.test"
CLIENT_ID = "nearhome-board"


def jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature"


class Provider:
    """A fake identity provider behind httpx.MockTransport (no network)."""

    def __init__(self) -> None:
        self.nonce = ""
        self.token_requests: list[dict[str, list[str]]] = []
        self.claims_override: dict[str, object] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                },
            )
        if request.url.path == "/token":
            form = parse_qs(request.content.decode())
            self.token_requests.append(form)
            claims = {
                "iss": ISSUER,
                "aud": CLIENT_ID,
                "sub": "cis2-0001",
                "nonce": self.nonce,
                "exp": time.time() + 300,
                **self.claims_override,
            }
            return httpx.Response(
                200, json={"id_token": jwt(claims), "access_token": "a"}
            )
        return httpx.Response(404)


def settings(**values: object) -> Settings:
    return Settings(environment="test", secret_key="k" * 40, **values)


def test_off_unless_configured():
    assert OidcClient.from_settings(settings()) is None
    with pytest.raises(InvalidConfig, match="both"):
        OidcClient.from_settings(settings(oidc_issuer=ISSUER))
    with pytest.raises(InvalidConfig, match="https"):
        OidcClient.from_settings(
            settings(oidc_issuer="http://insecure.test", oidc_client_id="x")
        )
    client = OidcClient.from_settings(
        settings(oidc_issuer=ISSUER, oidc_client_id=CLIENT_ID)
    )
    assert client is not None and client.issuer == ISSUER


def test_login_page_offers_sso_only_when_configured(tmp_path):
    plain = build_harness(f"sqlite:///{tmp_path / 'a.sqlite'}", n_inpatients=20)
    page = TestClient(plain.app).get("/login")
    assert "single sign-on" not in page.text
    assert TestClient(plain.app).get("/login/oidc").status_code == 404


def test_full_code_flow_with_pkce(tmp_path):
    provider = Provider()
    oidc = OidcClient(
        ISSUER, CLIENT_ID, http=httpx.Client(transport=httpx.MockTransport(provider))
    )
    built = build_harness(f"sqlite:///{tmp_path / 'b.sqlite'}", n_inpatients=20)
    built.app.state.context.oidc = oidc
    built.add_user("sso-nurse", "ward_staff", wards=("W01",), oidc_subject="cis2-0001")
    client = TestClient(built.app)
    assert "single sign-on" in client.get("/login").text
    start = client.get("/login/oidc", follow_redirects=False)
    assert start.status_code == 303
    target = urlparse(start.headers["location"])
    query = parse_qs(target.query)
    assert target.netloc == "login.example.nhs.test"
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == [
        CLIENT_ID
    ]
    provider.nonce = query["nonce"][0]
    wrong_state = client.get(
        "/login/oidc/callback", params={"code": "abc", "state": "forged"}
    )
    assert wrong_state.status_code == 403
    done = client.get(
        "/login/oidc/callback",
        params={"code": "abc", "state": query["state"][0]},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/board"
    assert provider.token_requests[-1]["code_verifier"][0]
    assert client.get("/board").status_code == 200


def test_unlinked_subject_and_bad_tokens_are_refused(tmp_path):
    provider = Provider()
    oidc = OidcClient(
        ISSUER, CLIENT_ID, http=httpx.Client(transport=httpx.MockTransport(provider))
    )
    attempt = OidcAttempt(state="s", nonce="n", verifier="v" * 43)
    provider.nonce = "n"
    claims = oidc.finish(
        code="c", state="s", attempt=attempt, redirect_uri="http://x/cb"
    )
    assert claims["sub"] == "cis2-0001"
    for override, problem in (
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "https://evil.test"}, "issuer"),
        ({"exp": 1}, "expiry"),
        ({"nonce": "other"}, "nonce"),
    ):
        provider.claims_override = override
        with pytest.raises(PermissionDenied, match=problem):
            oidc.finish(
                code="c", state="s", attempt=attempt, redirect_uri="http://x/cb"
            )
    assert OidcAttempt.from_dict({"state": 1}) is None
    built = build_harness(f"sqlite:///{tmp_path / 'c.sqlite'}", n_inpatients=20)
    built.app.state.context.oidc = oidc
    provider.claims_override = {}
    client = TestClient(built.app)
    start = parse_qs(
        urlparse(
            client.get("/login/oidc", follow_redirects=False).headers["location"]
        ).query
    )
    provider.nonce = start["nonce"][0]
    refused = client.get(
        "/login/oidc/callback", params={"code": "abc", "state": start["state"][0]}
    )
    assert refused.status_code == 403 and "not linked" in refused.text
