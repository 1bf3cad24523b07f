"""Loading the settings: ``conf/defaults.toml`` → optional file → ``ALLIANCE_*`` variables."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gateway.settings.model import (
    CONFIG_ENV,
    DEFAULTS_FILE,
    ENV_PREFIX,
    Settings,
    SettingsError,
)


def conf_dir() -> Path:
    """Directory holding ``defaults.toml``: the source tree's ``conf/`` or the installed copy."""
    candidates = [
        Path(__file__).resolve().parents[2] / "conf",
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
