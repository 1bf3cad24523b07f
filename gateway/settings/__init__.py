"""Typed settings, loaded once: ``conf/defaults.toml`` → optional file → ``ALLIANCE_*`` variables.

A TOML section ``[http]`` with key ``port`` is the setting ``http.port`` and the environment
variable ``ALLIANCE_HTTP_PORT``; top-level keys such as ``data_dir`` map to ``ALLIANCE_DATA_DIR``.
Any invalid value stops start-up with a :class:`SettingsError` naming the setting.
"""

from gateway.settings.loading import conf_dir, load_settings
from gateway.settings.model import (
    CONFIG_ENV,
    DEFAULT_TIMEZONE,
    DEFAULTS_FILE,
    ENV_PREFIX,
    GATEWAY_KEY_FILE,
    STORAGE_KEY_FILE,
    AuditSettings,
    ChainProfile,
    ChainSettings,
    ConsoleSettings,
    CryptoSettings,
    EvidenceSettings,
    FederationSettings,
    HttpSettings,
    JobsSettings,
    LogSettings,
    OAuthSettings,
    ProviderSettings,
    ReconciliationSettings,
    RetentionSettings,
    Settings,
    SettingsError,
    SupervisionSettings,
    WitnessSettings,
)

__all__ = [
    "CONFIG_ENV",
    "DEFAULTS_FILE",
    "DEFAULT_TIMEZONE",
    "ENV_PREFIX",
    "GATEWAY_KEY_FILE",
    "STORAGE_KEY_FILE",
    "AuditSettings",
    "ChainProfile",
    "ChainSettings",
    "ConsoleSettings",
    "CryptoSettings",
    "EvidenceSettings",
    "FederationSettings",
    "HttpSettings",
    "JobsSettings",
    "LogSettings",
    "OAuthSettings",
    "ProviderSettings",
    "ReconciliationSettings",
    "RetentionSettings",
    "Settings",
    "SettingsError",
    "SupervisionSettings",
    "WitnessSettings",
    "conf_dir",
    "load_settings",
]
