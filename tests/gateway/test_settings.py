from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import SettingsError, load_settings


def test_defaults_give_embedded_sqlite_and_fallback_redis(tmp_path: Path) -> None:
    settings = load_settings(environ={"ALLIANCE_DATA_DIR": str(tmp_path)})
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path.resolve()}/gateway.db"
    assert settings.redis_url == ""
    assert (settings.http.host, settings.http.port) == ("127.0.0.1", 8080)
    assert settings.chain.suite == "sm"
    assert settings.crypto.sm2_user_id == "1234567812345678"


def test_file_layer_then_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('[http]\nport = 9000\nhost = "10.1.2.3"\n[log]\nlevel = "debug"\n')
    settings = load_settings(config, environ={"ALLIANCE_HTTP_PORT": "9100"})
    assert settings.http.port == 9100
    assert settings.http.host == "10.1.2.3"
    assert settings.log.level == "DEBUG"


def test_config_file_from_environment(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('redis_url = "redis://cache.internal:6379/2"\n')
    settings = load_settings(environ={"ALLIANCE_CONFIG": str(config)})
    assert settings.redis_url == "redis://cache.internal:6379/2"


def test_postgres_url_gets_the_psycopg_driver() -> None:
    settings = load_settings(environ={"ALLIANCE_DATABASE_URL": "postgresql://u:p@db/alliance"})
    assert settings.sqlalchemy_url == "postgresql+psycopg://u:p@db/alliance"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ALLIANCE_DATABASE_URL": "nonsense"}, "ALLIANCE_DATABASE_URL"),
        ({"ALLIANCE_DATABASE_URL": "mysql://db/x"}, "ALLIANCE_DATABASE_URL"),
        ({"ALLIANCE_HTTP_PORT": "eighty"}, "ALLIANCE_HTTP_PORT"),
        ({"ALLIANCE_HTTP_PORT": "70000"}, "ALLIANCE_HTTP_PORT"),
        ({"ALLIANCE_REDIS_URL": "localhost:6379"}, "ALLIANCE_REDIS_URL"),
        ({"ALLIANCE_CHAIN_SUITE": "rsa"}, "ALLIANCE_CHAIN_SUITE"),
        ({"ALLIANCE_CHAIN_RPC_URL": "ftp://node"}, "ALLIANCE_CHAIN_RPC_URL"),
        ({"ALLIANCE_LOG_LEVEL": "chatty"}, "ALLIANCE_LOG_LEVEL"),
    ],
)
def test_invalid_setting_is_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named) as raised:
        load_settings(environ=environ)
    assert "\n" not in str(raised.value)


def test_unknown_key_in_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text("[http]\nprot = 1\n")
    with pytest.raises(SettingsError, match=r"unknown setting http\.prot"):
        load_settings(config, environ={})


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text("[http\n")
    with pytest.raises(SettingsError, match="not readable TOML"):
        load_settings(config, environ={})
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_every_setting_is_documented() -> None:
    import tomllib

    from gateway.settings import conf_dir

    defaults = tomllib.loads((conf_dir() / "defaults.toml").read_text())
    guide = (conf_dir().parent / "docs" / "configuration.md").read_text()
    names = [
        f"{section}.{key}" if isinstance(values, dict) else section
        for section, values in defaults.items()
        for key in (values if isinstance(values, dict) else [section])
    ]
    assert [name for name in names if f"`{name}`" not in guide] == []
