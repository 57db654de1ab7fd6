"""Deployment settings: built-in defaults < ``nearhome.toml`` < ``NEARHOME_*`` env < CLI flags.

Only the entry points (the CLI group, ``create_app``, test fixtures) build a ``Settings``;
every other function receives exactly what it needs (a ``Warehouse``, a session, a path).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from nearhome.errors import InvalidConfig

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """Every deployment setting nearhome reads, each with its description."""

    model_config = SettingsConfigDict(
        env_prefix="NEARHOME_", toml_file="nearhome.toml", extra="forbid"
    )

    environment: Literal["development", "test", "production"] = Field(
        "development",
        description="Where nearhome runs; production refuses default secrets.",
    )
    warehouse_url: str = Field(
        "duckdb:///nearhome.duckdb",
        description="Analytics warehouse: duckdb:///PATH, spark://local[2]?path=DIR or postgres://...",
    )
    board_db_url: str = Field(
        "sqlite:///nearhome-board.sqlite",
        description="Board database (SQLAlchemy URL): SQLite file by default, PostgreSQL in production.",
    )
    secret_key: str = Field(
        DEVELOPMENT_SECRET,
        description="Signs session cookies and CSRF tokens. Set from the environment only.",
    )
    session_max_age_minutes: int = Field(
        480, ge=5, description="A signed-in session expires after this many minutes."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins before an account is locked for a while."
    )
    login_lockout_minutes: int = Field(
        15,
        ge=1,
        description="How long an account stays locked after too many failures.",
    )
    https_only_cookies: bool = Field(
        False, description="Mark session cookies Secure (set when served behind HTTPS)."
    )
    oidc_issuer: str | None = Field(
        None,
        description="Optional OpenID Connect issuer URL (e.g. NHS Care Identity Service).",
    )
    oidc_client_id: str | None = Field(
        None, description="OIDC client id, when OIDC is used."
    )
    suppression_policy: Literal["mhsds", "hes", "none"] = Field(
        "mhsds",
        description="Disclosure control applied to published outputs by default.",
    )

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise InvalidConfig(
                "secret_key is the development default in production.",
                hint="Set NEARHOME_SECRET_KEY in the environment.",
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """CLI flags (init) beat the environment, which beats ``nearhome.toml``.

        Dotenv and secret files are deliberately not read: secrets come from the environment.
        """
        del dotenv_settings, file_secret_settings
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
