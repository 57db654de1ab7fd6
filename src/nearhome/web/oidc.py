"""Optional sign-in through an OpenID Connect provider (authorisation-code flow with PKCE).

Off unless ``settings.oidc_issuer`` and ``settings.oidc_client_id`` are both set. Then the
sign-in page offers the provider, ``/login/oidc`` redirects there with ``state``, ``nonce``
and a PKCE challenge (kept in a short-lived signed cookie), and the callback swaps the code
for tokens at the provider's token endpoint. The ID token comes straight from the token
endpoint over TLS, so its issuer, audience, nonce and expiry are checked and TLS vouches for
its origin (OpenID Connect Core 3.1.3.7). The ``sub`` claim must match a local user's
``oidc_subject``: roles and scopes stay in nearhome.

The HTTP client is injectable, so tests exercise the whole path with no network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from nearhome.errors import InvalidConfig, PermissionDenied
from nearhome.settings import Settings

DISCOVERY_PATH = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class OidcProvider:
    """The endpoints a provider publishes in its discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str


@dataclass(frozen=True)
class OidcAttempt:
    """What must survive the round trip to the provider (stored in a signed cookie)."""

    state: str
    nonce: str
    verifier: str

    def as_dict(self) -> dict[str, str]:
        """For the signed cookie."""
        return {"state": self.state, "nonce": self.nonce, "verifier": self.verifier}

    @classmethod
    def from_dict(cls, data: object) -> OidcAttempt | None:
        """Back from the cookie, or ``None`` if it is not one of ours."""
        if not isinstance(data, dict):
            return None
        values = [data.get(k) for k in ("state", "nonce", "verifier")]
        if not all(isinstance(v, str) and v for v in values):
            return None
        return cls(*(str(v) for v in values))


class OidcClient:
    """One configured OIDC provider."""

    def __init__(self, issuer: str, client_id: str, *, http: httpx.Client) -> None:
        """Use ``http`` for every call to the provider (inject a mock transport in tests)."""
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._http = http
        self._provider: OidcProvider | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, transport: httpx.BaseTransport | None = None
    ) -> OidcClient | None:
        """A client when both OIDC settings are present, ``None`` when neither is.

        Raises:
            InvalidConfig: only one of the two settings is set, or the issuer is not HTTPS.
        """
        issuer, client_id = settings.oidc_issuer, settings.oidc_client_id
        if not issuer and not client_id:
            return None
        if not issuer or not client_id:
            raise InvalidConfig(
                "OIDC sign-in needs both oidc_issuer and oidc_client_id.",
                hint="Set NEARHOME_OIDC_ISSUER and NEARHOME_OIDC_CLIENT_ID, or neither.",
            )
        if not issuer.startswith("https://"):
            raise InvalidConfig(
                f"oidc_issuer '{issuer}' must be an https:// URL.",
                hint="Use the issuer URL your identity provider publishes.",
            )
        http = httpx.Client(transport=transport, timeout=10.0, follow_redirects=False)
        return cls(issuer, client_id, http=http)

    def provider(self) -> OidcProvider:
        """The provider's endpoints, fetched once from its discovery document."""
        if self._provider is None:
            doc = self._get_json(self.issuer + DISCOVERY_PATH)
            if str(doc.get("issuer", "")).rstrip("/") != self.issuer:
                raise PermissionDenied(
                    "The sign-in provider's discovery document names another issuer."
                )
            try:
                self._provider = OidcProvider(
                    issuer=self.issuer,
                    authorization_endpoint=str(doc["authorization_endpoint"]),
                    token_endpoint=str(doc["token_endpoint"]),
                )
            except KeyError as exc:
                raise PermissionDenied(
                    f"The sign-in provider publishes no {exc.args[0]}."
                ) from exc
        return self._provider

    def start(self, redirect_uri: str) -> tuple[str, OidcAttempt]:
        """The URL to send the browser to, and what to remember until it comes back."""
        attempt = OidcAttempt(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),
        )
        challenge = _b64(hashlib.sha256(attempt.verifier.encode("ascii")).digest())
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid profile",
                "state": attempt.state,
                "nonce": attempt.nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.provider().authorization_endpoint}?{query}", attempt

    def finish(
        self, *, code: str, state: str, attempt: OidcAttempt, redirect_uri: str
    ) -> dict[str, Any]:
        """Swap the code for tokens and return the checked ID token claims.

        Raises:
            PermissionDenied: the state does not match, or the tokens do not check out.
        """
        if not secrets.compare_digest(state, attempt.state):
            raise PermissionDenied(
                "The sign-in response does not match this browser's request."
            )
        response = self._http.post(
            self.provider().token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": self.client_id,
                "code_verifier": attempt.verifier,
            },
        )
        if response.status_code != 200:
            raise PermissionDenied("The sign-in provider refused the sign-in code.")
        id_token = response.json().get("id_token")
        if not isinstance(id_token, str):
            raise PermissionDenied("The sign-in provider returned no ID token.")
        return self._checked_claims(id_token, attempt.nonce)

    def _checked_claims(self, id_token: str, nonce: str) -> dict[str, Any]:
        claims = _claims(id_token)
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        problems = [
            ("issuer", str(claims.get("iss", "")).rstrip("/") != self.issuer),
            ("audience", self.client_id not in audiences),
            ("nonce", not secrets.compare_digest(str(claims.get("nonce", "")), nonce)),
            ("expiry", float(claims.get("exp", 0)) <= time.time()),
            ("subject", not isinstance(claims.get("sub"), str)),
        ]
        failed = [name for name, bad in problems if bad]
        if failed:
            raise PermissionDenied(
                f"The sign-in provider's ID token failed checks: {', '.join(failed)}."
            )
        return claims

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            raise PermissionDenied("The sign-in provider cannot be reached.") from exc
        if response.status_code != 200:
            raise PermissionDenied(
                "The sign-in provider's discovery document is unavailable."
            )
        data = response.json()
        if not isinstance(data, dict):
            raise PermissionDenied(
                "The sign-in provider's discovery document is not valid."
            )
        return data


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _claims(id_token: str) -> dict[str, Any]:
    parts = id_token.split(".")
    if len(parts) != 3:
        raise PermissionDenied("The ID token is not a JWT.")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PermissionDenied("The ID token cannot be read.") from exc
    if not isinstance(data, dict):
        raise PermissionDenied("The ID token cannot be read.")
    return data
