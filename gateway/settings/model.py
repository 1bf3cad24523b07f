"""The settings' sections and their checks: one frozen pydantic model per section."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
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


def _time_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{value!r} is not an IANA time zone such as 'Asia/Shanghai'") from exc
    return value


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


def _http_url_or_empty(value: str) -> str:
    return value and _http_url(value)


def _rate_limit(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a rate limit such as '30/minute'") from exc
    return value


TimeZone = Annotated[str, AfterValidator(_time_zone)]
RateLimit = Annotated[str, Field(min_length=1), AfterValidator(_rate_limit)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
OptionalHttpUrl = Annotated[str, AfterValidator(_http_url_or_empty)]


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
    rpc_url: OptionalHttpUrl = ""
    version: Literal[2, 3]
    suite: Literal["sm", "ecdsa"]
    chain_id: int = Field(ge=0)
    group_id: int = Field(ge=0)
    timeout: float = Field(gt=0, le=600)
    devnode_block_interval: float = Field(ge=0.005, le=60)
    handover_quorum: int = Field(default=3, ge=1, le=12)


class ChainProfile(_Section):
    """Another chain the alliance can hand over to (``alliance chain switch --to NAME``)."""

    vendor: Literal["fisco-bcos", "evm"] = "fisco-bcos"
    rpc_url: HttpUrl
    version: Literal[2, 3] = 2
    suite: Literal["sm", "ecdsa"] = "sm"
    chain_id: int = Field(default=1, ge=0)
    group_id: int = Field(default=1, ge=0)
    timeout: float = Field(default=10.0, gt=0, le=600)
    transaction_type: Literal["eip1559", "legacy"] = "eip1559"
    gas_price: int = Field(default=-1, ge=-1)

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
    token_rate_limit: RateLimit
    api_rate_limit: RateLimit
    query_rate_limit: RateLimit


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
    timezone: TimeZone
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


class FederationSettings(_Section):
    """This gateway's place in a multi-level alliance (国家-省-市-区县), docs/federation.md."""

    node: str = Field(pattern=r"^([A-Z][A-Z0-9_]{1,15})?$")
    name: str = Field(max_length=200)
    parent_url: OptionalHttpUrl = ""
    interval_seconds: float = Field(gt=0, le=86400)
    timeout: float = Field(gt=0, le=600)
    max_lag_seconds: float = Field(gt=0)


class Settings(_Section):
    """Every setting of the gateway. Built by :func:`load_settings`, never mutated."""

    data_dir: Path
    database_url: str = ""
    redis_url: str = ""
    timezone: TimeZone = DEFAULT_TIMEZONE
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
    federation: FederationSettings

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
