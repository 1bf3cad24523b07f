"""``alliance crypto info``: the backends this machine uses, as JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner

from gateway.cli.main import main


def test_crypto_info_reports_backends() -> None:
    result = CliRunner().invoke(main, ["crypto", "info"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["sm2_sign_backend"] in info["sm2_sign_backends_available"]
    assert info["sm2_verify_backend"] in info["sm2_verify_backends_available"]
    assert "python" in info["sm2_sign_backends_available"]
    assert info["sm2_verify_backend"] != "gmssl-pyx"
    assert info["default_sm2_user_id"] == "1234567812345678"
    if info["openssl_version"] is not None:
        assert info["openssl_version"].startswith("OpenSSL 3")
