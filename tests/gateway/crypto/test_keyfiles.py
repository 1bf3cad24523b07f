"""Key files: FISCO python-sdk fixtures, our PEM round trips, permissions, and rejection of
bad files with typed errors."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.crypto import _pkcs8, sm4
from gateway.crypto.errors import InvalidKeyError, KeyFileError
from gateway.crypto.hashing import sm3
from gateway.crypto.keyfiles import (
    PassphraseRequiredError,
    _pem,
    fisco_pem_filename,
    load_fisco_gm_account,
    load_private_key,
    private_key_to_pem,
    write_private_key,
)
from gateway.crypto.secp256k1 import Secp256k1PrivateKey
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey


def _gm_fixture(accounts: Any) -> dict[str, Any]:
    fixture: dict[str, Any] = accounts["gm"]["keyfiles"][0]
    return fixture


def test_fisco_gm_account_json_imports(accounts: Any, tmp_path: Path) -> None:
    fixture = _gm_fixture(accounts)
    key = load_fisco_gm_account(fixture["file_content"], fixture["password"])
    assert "0x" + key.to_bytes().hex() == fixture["private_key"]
    assert "0x" + key.public_key.to_bytes().hex() == fixture["public_key"]
    assert address_of(key.public_key) == fixture["address"].lower()
    path = tmp_path / "gm_account.json"
    path.write_text(json.dumps(fixture["file_content"]))
    assert load_private_key(path, fixture["password"].encode()) == key


def test_fisco_gm_account_wrong_or_missing_password(accounts: Any) -> None:
    content = _gm_fixture(accounts)["file_content"]
    with pytest.raises(KeyFileError):
        load_fisco_gm_account(content, "654321")
    with pytest.raises(PassphraseRequiredError):
        load_fisco_gm_account(content, None)
    with pytest.raises(KeyFileError):
        load_fisco_gm_account(content, "x" * 17)


def test_fisco_gm_account_without_mac_still_detects_wrong_password(accounts: Any) -> None:
    content = dict(_gm_fixture(accounts)["file_content"])
    del content["mac"]
    with pytest.raises(KeyFileError):
        load_fisco_gm_account(content, "000000")


def test_fisco_gm_account_address_must_match(accounts: Any) -> None:
    content = dict(_gm_fixture(accounts)["file_content"])
    content["address"] = "0x" + "11" * 20
    with pytest.raises(KeyFileError):
        load_fisco_gm_account(content, "123456")


def test_fisco_gm_account_format_written_by_hand() -> None:
    """The format as PROTOCOL.md describes it, built independently of the fixture."""
    key = Sm2PrivateKey.generate()
    padded = b"pw".ljust(16, b"0")
    document = {
        "address": address_of(key.public_key),
        "encrypt": True,
        "private_key": base64.b64encode(
            sm4.cbc_encrypt(padded, bytes(16), key.to_bytes().hex().encode())
        ).decode(),
        "type": "gm",
        "mac": sm3(padded).hex(),
    }
    assert load_fisco_gm_account(document, "pw") == key
    plain = {"address": document["address"], "encrypt": False, "private_key": key.to_bytes().hex()}
    assert load_fisco_gm_account(plain, None) == key


@pytest.mark.parametrize(
    "content",
    [b"{", b"[]", b'{"type": "ecdsa", "private_key": "00"}', b'{"type": "gm"}'],
    ids=["bad-json", "not-object", "wrong-type", "no-key"],
)
def test_malformed_gm_account_json(content: bytes) -> None:
    with pytest.raises(KeyFileError):
        load_private_key(content, b"123456")


def test_sdk_ecdsa_pem_fixture(accounts: Any) -> None:
    fixture = accounts["ecdsa"]["keyfiles"][0]
    key = load_private_key(fixture["file_content"].encode())
    assert isinstance(key, Secp256k1PrivateKey)
    assert "0x" + key.to_bytes().hex() == fixture["private_key"]
    assert address_of(key.public_key) == fixture["address"].lower()


def test_fisco_console_file_name_of_java_sdk_key() -> None:
    # PROTOCOL.md V3: java-sdk's 0x40b3558746e8f9a47a474774e8c4a9e67d4e3174.pem
    scalar = "901744c34e2adffc9fd7fb12e8cba2d88a79aaf54be9b4e11660153287489f13"
    key = Sm2PrivateKey.from_bytes(bytes.fromhex(scalar))
    assert fisco_pem_filename(key) == "0x40b3558746e8f9a47a474774e8c4a9e67d4e3174.pem"


@pytest.mark.parametrize("suite", ["sm", "ecdsa"])
def test_pem_round_trip_plain_and_encrypted(suite: str) -> None:
    key = Sm2PrivateKey.generate() if suite == "sm" else Secp256k1PrivateKey.generate()
    assert load_private_key(private_key_to_pem(key)) == key
    encrypted = private_key_to_pem(key, b"pass phrase", iterations=1000)
    assert b"ENCRYPTED PRIVATE KEY" in encrypted
    assert load_private_key(encrypted, b"pass phrase") == key
    with pytest.raises(KeyFileError):
        load_private_key(encrypted, b"wrong phrase")
    with pytest.raises(PassphraseRequiredError):
        load_private_key(encrypted)


def test_write_private_key_is_0600_and_does_not_overwrite(tmp_path: Path) -> None:
    key = Sm2PrivateKey.generate()
    path = write_private_key(tmp_path / "k.pem", key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_private_key(path) == key
    with pytest.raises(KeyFileError):
        write_private_key(path, Sm2PrivateKey.generate())
    assert load_private_key(path) == key


def test_truncated_pem_is_a_key_file_error() -> None:
    pem = private_key_to_pem(Sm2PrivateKey.generate())
    for cut in (len(pem) // 2, len(pem) - 30, 40):
        with pytest.raises(KeyFileError):
            load_private_key(pem[:cut])


def test_corrupted_base64_and_der_are_key_file_errors() -> None:
    pem = private_key_to_pem(Sm2PrivateKey.generate())
    lines = pem.split(b"\n")
    lines[1] = b"!!!" + lines[1][3:]
    with pytest.raises(KeyFileError):
        load_private_key(b"\n".join(lines))
    with pytest.raises(KeyFileError):
        load_private_key(b"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n")
    with pytest.raises(KeyFileError):
        load_private_key(b"not a key at all")


def test_missing_file_is_a_key_file_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError):
        load_private_key(tmp_path / "absent.pem")


def test_wrong_curve_is_an_invalid_key_error(tmp_path: Path) -> None:
    result = subprocess.run(
        ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        capture_output=True,
        check=True,
    )
    with pytest.raises(InvalidKeyError):
        load_private_key(result.stdout)


def test_public_key_not_matching_private_key_is_rejected() -> None:
    key = Sm2PrivateKey.generate()
    other = Sm2PrivateKey.generate()
    der = _pkcs8.encode_private_key(_pkcs8.SM2_CURVE, key.to_bytes(), other.public_key.to_bytes())
    with pytest.raises(InvalidKeyError):
        load_private_key(_pem("PRIVATE KEY", der))


def test_zero_scalar_in_pem_is_rejected() -> None:
    public = Sm2PrivateKey.generate().public_key.to_bytes()
    der = _pkcs8.encode_private_key(_pkcs8.SM2_CURVE, bytes(32), public)
    with pytest.raises(InvalidKeyError):
        load_private_key(_pem("PRIVATE KEY", der))


@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_never_crash_the_loader(data: bytes) -> None:
    wrapped = b"-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(data)
    wrapped += b"\n-----END PRIVATE KEY-----\n"
    for candidate in (data, wrapped):
        with contextlib.suppress(KeyFileError, InvalidKeyError):
            load_private_key(candidate)


@pytest.mark.slow
def test_sdk_ecdsa_keystore_fixture_imports(accounts: Any) -> None:
    """python-sdk's pyaccount.keystore (scrypt N = 2^18, r = 1, p = 8: several seconds)."""
    fixture = accounts["ecdsa"]["keyfiles"][1]
    content = json.dumps(fixture["file_content"]).encode()
    key = load_private_key(content, fixture["password"].encode())
    assert "0x" + key.to_bytes().hex() == fixture["private_key"]
    assert address_of(key.public_key) == fixture["address"].lower()


def _keystore(key: Secp256k1PrivateKey, password: bytes, kdf: str) -> dict[str, Any]:
    """A keystore v3 document built from its definition (small work factors for speed)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    from gateway.crypto.hashing import keccak256

    salt, iv = b"s" * 16, b"i" * 16
    if kdf == "scrypt":
        derived = hashlib.scrypt(password, salt=salt, n=1024, r=8, p=1, dklen=32)
        params: dict[str, Any] = {"dklen": 32, "n": 1024, "r": 8, "p": 1, "salt": salt.hex()}
    else:
        derived = hashlib.pbkdf2_hmac("sha256", password, salt, 1000, 32)
        params = {"dklen": 32, "c": 1000, "prf": "hmac-sha256", "salt": salt.hex()}
    encryptor = Cipher(algorithms.AES(derived[:16]), modes.CTR(iv)).encryptor()
    ciphertext = encryptor.update(key.to_bytes()) + encryptor.finalize()
    return {
        "address": address_of(key.public_key)[2:],
        "version": 3,
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": iv.hex()},
            "ciphertext": ciphertext.hex(),
            "kdf": kdf,
            "kdfparams": params,
            "mac": keccak256(derived[16:32] + ciphertext).hex(),
        },
    }


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_keystore_v3_import_and_wrong_password(kdf: str) -> None:
    key = Secp256k1PrivateKey.generate()
    content = json.dumps(_keystore(key, b"pw", kdf)).encode()
    assert load_private_key(content, b"pw") == key
    with pytest.raises(KeyFileError):
        load_private_key(content, b"wrong")
    with pytest.raises(PassphraseRequiredError):
        load_private_key(content)
