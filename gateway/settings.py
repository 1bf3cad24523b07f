"""Typed settings, loaded once: ``conf/defaults.toml`` → optional file → ``ALLIANCE_*`` variables.

A TOML section ``[http]`` with key ``port`` is the setting ``http.port`` and the environment
variable ``ALLIANCE_HTTP_PORT``; top-level keys such as ``data_dir`` map to ``ALLIANCE_DATA_DIR``.
Any invalid value stops start-up with a :class:`SettingsError` naming the setting.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENV_PREFIX = "ALLIANCE_"
CONFIG_ENV = "ALLIANCE_CONFIG"
DEFAULTS_FILE = "defaults.toml"
DEFAULT_TIMEZONE = "Asia/Shanghai"
"""The alliance's working day (UTC+8): what the ``timezone`` setting defaults to."""

#: The gateway's SM2 signing key and the SM4 storage key, under ``Settings.keys_dir``.
GATEWAY_KEY_FILE = "gateway-sm2.pem"
STORAGE_KEY_FILE = "storage-sm4.key"


class SettingsError(Exception):
    """A setting is missing or invalid; the message names it and is fit for one line."""

    code = "invalid_settings"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpSettings(_Section):
    host: str = Field(min_length=1)
    port: int = Field(ge=0, le=65535)
    workers: int = Field(ge=1, le=64)
    threads: int = Field(ge=1, le=256)
    timeout: int = Field(ge=1, le=3600)
    max_body_bytes: int = Field(ge=1024, le=1 << 30)
    public_url: str = ""


class LogSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
    format: Literal["json", "text"]

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class ChainSettings(_Section):
    rpc_url: str = ""
    version: Literal[2, 3]
    suite: Literal["sm", "ecdsa"]
    chain_id: int = Field(ge=0)
    group_id: int = Field(ge=0)
    timeout: float = Field(gt=0, le=600)
    devnode_block_interval: float = Field(ge=0.005, le=60)
    handover_quorum: int = Field(default=3, ge=1, le=12)

    @field_validator("rpc_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL, or empty for the devnode")
        return value


class ChainProfile(_Section):
    """Another chain the alliance can hand over to (``alliance chain switch --to NAME``)."""

    vendor: Literal["fisco-bcos", "evm"] = "fisco-bcos"
    rpc_url: str
    version: Literal[2, 3] = 2
    suite: Literal["sm", "ecdsa"] = "sm"
    chain_id: int = Field(default=1, ge=0)
    group_id: int = Field(default=1, ge=0)
    timeout: float = Field(default=10.0, gt=0, le=600)
    transaction_type: Literal["eip1559", "legacy"] = "eip1559"
    gas_price: int = Field(default=-1, ge=-1)

    @field_validator("rpc_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _evm_is_ecdsa(self) -> ChainProfile:
        if self.vendor == "evm" and self.suite != "ecdsa":
            raise ValueError("an evm chain uses the ecdsa suite (secp256k1, Keccak-256)")
        return self


class WitnessSettings(_Section):
    members: list[str]
    required: int = Field(ge=0, le=12)

    @field_validator("members", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [code.strip() for code in value.split(",") if code.strip()]
        return value


class CryptoSettings(_Section):
    sm2_user_id: str = Field(min_length=1, max_length=8191)


class OAuthSettings(_Section):
    issuer: str = ""
    access_token_ttl: int = Field(ge=30, le=86400)
    assertion_max_age: int = Field(ge=10, le=3600)
    token_rate_limit: str = Field(min_length=1)
    api_rate_limit: str = Field(min_length=1)
    query_rate_limit: str = Field(min_length=1)

    @field_validator("token_rate_limit", "api_rate_limit", "query_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate limit such as '30/minute'") from exc
        return value


class EvidenceSettings(_Section):
    interval_seconds: float = Field(gt=0, le=3600)
    batch_size: int = Field(ge=1, le=1_000_000)
    direct: bool
    max_lag_seconds: float = Field(gt=0)
    lag_limits: dict[str, float]
    stuck_after_seconds: float = Field(gt=0)
    interrupted_after_seconds: float = Field(gt=0)
    retry_backoff_seconds: float = Field(gt=0)
    retry_backoff_max_seconds: float = Field(gt=0)
    retry_alert_attempts: int = Field(ge=1)

    def lag_limit(self, entry_id: str) -> float:
        return self.lag_limits.get(entry_id, self.max_lag_seconds)


class ReconciliationSettings(_Section):
    interval_seconds: float = Field(gt=0, le=86400)
    anchor_within_seconds: float = Field(gt=0)
    workers: int = Field(ge=0, le=32)


class AuditSettings(_Section):
    export_workers: int = Field(ge=1, le=16)
    export_max_days: int = Field(ge=1, le=3660)
    export_stale_seconds: float = Field(gt=0)


class RetentionSettings(_Section):
    reply_days: int = Field(ge=0)
    exports_days: int = Field(ge=0)
    job_history_days: int = Field(ge=0)
    reconciliation_days: int = Field(ge=0)


class JobsSettings(_Section):
    in_process: bool
    intervals: dict[str, float]
    lease_seconds: float = Field(ge=0)

    @field_validator("intervals")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for job, seconds in value.items():
            if not 0 < seconds <= 86400:
                raise ValueError(f"interval of {job} must be in (0, 86400] seconds")
        return value


class ProviderSettings(_Section):
    simulate: bool
    simulator_seed: int
    pass_fault_header: bool
    connect_timeout: float = Field(gt=0, le=120)
    read_timeout: float = Field(gt=0, le=600)
    retries: int = Field(ge=0, le=5)
    max_answer_bytes: int = Field(ge=1024, le=1 << 28)


class ConsoleSettings(_Section):
    secret_key_file: str = ""
    session_lifetime_minutes: int = Field(ge=1, le=7 * 24 * 60)
    lockout_threshold: int = Field(ge=1, le=100)
    lockout_minutes: int = Field(ge=1, le=24 * 60)
    secure_cookies: Literal["auto", "always", "never"]


class SupervisionSettings(_Section):
    interval_seconds: float = Field(gt=0, le=86400)
    lookback_hours: int = Field(ge=1, le=24 * 366)
    office: str = Field(min_length=1, max_length=16)
    timezone: str = Field(min_length=1)
    default_due_days: int = Field(ge=1, le=366)
    disabled_rules: list[str]
    title_repeat_entries: list[str]
    title_repeat_max_per_day: int = Field(ge=1)
    business_hours: str = Field(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    wrong_purpose_min_attempts: int = Field(ge=1)
    expired_grant_min_attempts: int = Field(ge=1)
    certificate_types: list[str]
    anchoring_lag_max_seconds: float = Field(gt=0)
    anchoring_lag_department: str = Field(min_length=1, max_length=16)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not a time zone") from exc
        return value


class Settings(_Section):
    """Every setting of the gateway. Built by :func:`load_settings`, never mutated."""

    data_dir: Path
    database_url: str = ""
    redis_url: str = ""
    timezone: str = DEFAULT_TIMEZONE
    http: HttpSettings
    log: LogSettings
    chain: ChainSettings
    chain_profiles: dict[str, ChainProfile] = Field(default_factory=dict)
    witness: WitnessSettings
    crypto: CryptoSettings
    oauth: OAuthSettings
    evidence: EvidenceSettings
    audit: AuditSettings
    retention: RetentionSettings
    jobs: JobsSettings
    providers: ProviderSettings
    reconciliation: ReconciliationSettings
    console: ConsoleSettings
    supervision: SupervisionSettings

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value:
            return value
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"{value!r} is not a database URL") from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone such as 'Asia/Shanghai'") from exc
        return value

    @property
    def zone(self) -> tzinfo:
        """The :class:`zoneinfo.ZoneInfo` of ``timezone``: the day and date arguments people see."""
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL, or empty")
        return value

    @property
    def sqlalchemy_url(self) -> str:
        """The URL handed to SQLAlchemy: the embedded SQLite file unless one is configured."""
        if not self.database_url:
            return f"sqlite:///{(self.data_dir / 'gateway.db').resolve()}"
        url = make_url(self.database_url)
        if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def base_url(self) -> str:
        return (self.http.public_url or f"http://{self.http.host}:{self.http.port}").rstrip("/")

    @property
    def issuer(self) -> str:
        return (self.oauth.issuer or self.base_url).rstrip("/")


def conf_dir() -> Path:
    """Directory holding ``defaults.toml``: the source tree's ``conf/`` or the installed copy."""
    candidates = [
        Path(__file__).resolve().parent.parent / "conf",
        Path(sys.prefix) / "share" / "alliance-gateway" / "conf",
    ]
    for candidate in candidates:
        if (candidate / DEFAULTS_FILE).is_file():
            return candidate
    raise SettingsError(f"cannot find {DEFAULTS_FILE} in any of: {', '.join(map(str, candidates))}")


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise SettingsError(f"{what} {path} does not exist") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{what} {path} is not readable TOML: {exc}") from exc


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_layer(defaults: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """Map ``ALLIANCE_SECTION_KEY`` variables onto the keys the defaults file declares."""
    layer: dict[str, Any] = {}
    for key, value in defaults.items():
        if isinstance(value, Mapping):
            for sub_key in value:
                name = f"{ENV_PREFIX}{key}_{sub_key}".upper()
                if name in environ:
                    layer.setdefault(key, {})[sub_key] = environ[name]
        else:
            name = f"{ENV_PREFIX}{key}".upper()
            if name in environ:
                layer[key] = environ[name]
    return layer


def _describe(location: tuple[int | str, ...]) -> str:
    dotted = ".".join(str(part) for part in location)
    env = ENV_PREFIX + "_".join(str(part) for part in location).upper()
    return f"{dotted} ({env})"


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Load and validate the settings; raise :class:`SettingsError` naming the first bad one."""
    environ = os.environ if environ is None else environ
    defaults = _read_toml(conf_dir() / DEFAULTS_FILE, "defaults file")
    layered = defaults
    config_file = config_file or environ.get(CONFIG_ENV) or None
    if config_file:
        layered = _merge(layered, _read_toml(Path(config_file), "settings file"))
    layered = _merge(layered, _env_layer(defaults, environ))
    try:
        return Settings.model_validate(layered)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = tuple(first["loc"])
        reason = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            raise SettingsError(f"unknown setting {'.'.join(map(str, location))}") from exc
        raise SettingsError(f"invalid setting {_describe(location)}: {reason}") from exc
