"""Interoperability with the OpenSSL 3 command line, both ways: signatures (with the SM2
distinguishing ID), plain and encrypted PEM key files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.crypto.backend import Sm2SignBackend, Sm2VerifyBackend
from gateway.crypto.keyfiles import load_private_key, load_public_key, private_key_to_pem
from gateway.crypto.keyfiles import public_key_to_pem as public_pem
from gateway.crypto.secp256k1 import Secp256k1PrivateKey
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI missing")

MESSAGE = "跨部门数据共享 receipt #42".encode()


def openssl(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, check=False)


def _openssl_verifies(
    tmp_path: Path, public: bytes, signature: bytes, message: bytes, distid: bytes
) -> bool:
    (tmp_path / "pub.pem").write_bytes(public)
    (tmp_path / "sig.der").write_bytes(signature)
    (tmp_path / "msg").write_bytes(message)
    result = openssl(
        "pkeyutl", "-verify", "-rawin", "-digest", "sm3",
        "-pkeyopt", f"distid:{distid.decode()}",
        "-pubin", "-inkey", str(tmp_path / "pub.pem"),
        "-in", str(tmp_path / "msg"), "-sigfile", str(tmp_path / "sig.der"),
    )  # fmt: skip
    return result.returncode == 0


def test_our_signature_verifies_in_openssl(tmp_path: Path, sign_backend: Sm2SignBackend) -> None:
    key = Sm2PrivateKey.generate(backend=sign_backend)
    signature = key.sign(MESSAGE).to_der()
    public = public_pem(key.public_key)
    assert _openssl_verifies(tmp_path, public, signature, MESSAGE, DEFAULT_USER_ID)
    assert not _openssl_verifies(tmp_path, public, signature, MESSAGE + b"!", DEFAULT_USER_ID)
    assert not _openssl_verifies(tmp_path, public, signature, MESSAGE, b"8765432187654321")


def test_custom_user_id_agrees_with_openssl_distid(tmp_path: Path) -> None:
    key = Sm2PrivateKey.generate()
    signature = key.sign(MESSAGE, user_id=b"alliance-gw-01").to_der()
    public = public_pem(key.public_key)
    assert _openssl_verifies(tmp_path, public, signature, MESSAGE, b"alliance-gw-01")


def test_openssl_dgst_accepts_our_signature(tmp_path: Path) -> None:
    key = Sm2PrivateKey.generate()
    (tmp_path / "pub.pem").write_bytes(public_pem(key.public_key))
    (tmp_path / "sig").write_bytes(key.sign(MESSAGE).to_der())
    (tmp_path / "msg").write_bytes(MESSAGE)
    result = openssl(
        "dgst", "-sm3", "-verify", str(tmp_path / "pub.pem"),
        "-sigopt", "distid:1234567812345678",
        "-signature", str(tmp_path / "sig"), str(tmp_path / "msg"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_openssl_signature_verifies_here(tmp_path: Path, verify_backend: Sm2VerifyBackend) -> None:
    key_file = tmp_path / "key.pem"
    assert openssl("genpkey", "-algorithm", "SM2", "-out", str(key_file)).returncode == 0
    (tmp_path / "msg").write_bytes(MESSAGE)
    signed = openssl(
        "pkeyutl", "-sign", "-rawin", "-digest", "sm3",
        "-pkeyopt", "distid:1234567812345678", "-inkey", str(key_file),
        "-in", str(tmp_path / "msg"),
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    private = load_private_key(key_file)
    assert isinstance(private, Sm2PrivateKey)
    public = Sm2PublicKey.from_bytes(private.public_key.to_bytes(), backend=verify_backend)
    signature = Sm2Signature.from_der(signed.stdout)
    assert public.verify(MESSAGE, signature)
    assert not public.verify(MESSAGE, signature, user_id=b"another id")
    assert not public.verify(MESSAGE[1:], signature)


def _openssl_public_key(pem_file: Path, *passin: str) -> bytes:
    """The 64-byte public key OpenSSL reads from a private key file."""
    result = openssl("pkey", "-in", str(pem_file), *passin, "-pubout", "-outform", "DER")
    assert result.returncode == 0, result.stderr
    return result.stdout[-64:]


@pytest.mark.parametrize("suite", ["sm", "ecdsa"])
def test_our_pem_loads_in_openssl(tmp_path: Path, suite: str) -> None:
    key = Sm2PrivateKey.generate() if suite == "sm" else Secp256k1PrivateKey.generate()
    pem_file = tmp_path / "key.pem"
    pem_file.write_bytes(private_key_to_pem(key))
    assert _openssl_public_key(pem_file) == key.public_key.to_bytes()
    text = openssl("pkey", "-in", str(pem_file), "-noout", "-text").stdout.decode()
    assert ("SM2" in text) if suite == "sm" else ("secp256k1" in text)


@pytest.mark.parametrize("cipher", ["aes-256-cbc", "sm4-cbc"])
def test_our_encrypted_pem_opens_in_openssl(tmp_path: Path, cipher: str) -> None:
    key = Sm2PrivateKey.generate()
    pem_file = tmp_path / "key.pem"
    pem_file.write_bytes(
        private_key_to_pem(key, b"correct horse", cipher=cipher, iterations=10_000)
    )
    assert _openssl_public_key(pem_file, "-passin", "pass:correct horse") == (
        key.public_key.to_bytes()
    )
    assert openssl("pkey", "-in", str(pem_file), "-passin", "pass:wrong").returncode != 0


def test_openssl_pem_loads_here_byte_identical(tmp_path: Path) -> None:
    pem_file = tmp_path / "key.pem"
    assert openssl("genpkey", "-algorithm", "SM2", "-out", str(pem_file)).returncode == 0
    key = load_private_key(pem_file)
    assert key.public_key.to_bytes() == _openssl_public_key(pem_file)
    assert private_key_to_pem(key) == pem_file.read_bytes()


@pytest.mark.parametrize(
    "options",
    [["-v2", "aes-256-cbc"], ["-v2", "sm4-cbc"], ["-scrypt"], ["-v2", "aes-128-cbc", "-iter", "5"]],
    ids=["aes256", "sm4", "scrypt", "aes128"],
)
def test_openssl_encrypted_pem_loads_here(tmp_path: Path, options: list[str]) -> None:
    plain = tmp_path / "plain.pem"
    encrypted = tmp_path / "enc.pem"
    assert openssl("genpkey", "-algorithm", "SM2", "-out", str(plain)).returncode == 0
    result = openssl(
        "pkcs8", "-topk8", "-in", str(plain), "-out", str(encrypted),
        "-passout", "pass:s3cret", *options,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert load_private_key(encrypted, b"s3cret") == load_private_key(plain)


def test_openssl_secp256k1_keys_load_here(tmp_path: Path) -> None:
    sec1 = tmp_path / "sec1.pem"
    assert openssl("ecparam", "-name", "secp256k1", "-genkey", "-out", str(sec1)).returncode == 0
    key = load_private_key(sec1)  # EC PARAMETERS block followed by EC PRIVATE KEY
    assert isinstance(key, Secp256k1PrivateKey)
    assert key.public_key.to_bytes() == _openssl_public_key(sec1)


def test_public_key_pem_round_trip_with_openssl(tmp_path: Path) -> None:
    key = Sm2PrivateKey.generate()
    (tmp_path / "key.pem").write_bytes(private_key_to_pem(key))
    result = openssl("pkey", "-in", str(tmp_path / "key.pem"), "-pubout")
    assert result.stdout == public_pem(key.public_key)
    assert load_public_key(result.stdout) == key.public_key
