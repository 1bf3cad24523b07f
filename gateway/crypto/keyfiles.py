"""Key files: PEM PKCS#8 (plain or PBES2-encrypted) as OpenSSL 3 and the FISCO BCOS console
write them (``0x<address>.pem``), SEC 1 ``EC PRIVATE KEY`` PEM, public-key PEM, and import of
the FISCO python-sdk ``gm_account.json`` format.

Our own key files are PKCS#8 PEM: the curve OID says the suite (sm2p256v1 → ``sm``, secp256k1
→ ``ecdsa``), any OpenSSL 3 can read them, and FISCO's console accepts them as accounts.
Passphrase-protected files use PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC (RFC 8018), the
scheme ``openssl pkcs8 -topk8`` writes; SM4-CBC is available on request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gateway.crypto import _der, _pkcs8
from gateway.crypto.errors import CryptoError, InvalidKeyError, KeyFileError
from gateway.crypto.hashing import sm3
from gateway.crypto.secp256k1 import Secp256k1PrivateKey, Secp256k1PublicKey
from gateway.crypto.signing import PrivateKey, PublicKey, address_of
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.crypto.sm4 import cbc_decrypt

Source = str | os.PathLike[str] | bytes

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
MAX_KEY_FILE_SIZE = 64 * 1024


class PassphraseRequiredError(KeyFileError):
    """The key file is encrypted and no passphrase was given."""

    code = "passphrase_required"


def _read(source: Source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    try:
        with open(source, "rb") as handle:
            data = handle.read(MAX_KEY_FILE_SIZE + 1)
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {os.fspath(source)}: {exc.strerror}") from exc
    if len(data) > MAX_KEY_FILE_SIZE:
        raise KeyFileError("key file is too large")
    return data


def _pem_blocks(data: bytes) -> list[tuple[str, bytes, bytes]]:
    """(label, headers, DER) of every PEM block (RFC 7468)."""
    blocks = []
    for match in _PEM_BLOCK.finditer(data):
        label = match.group(1).decode("ascii")
        body = match.group(2)
        headers = b""
        if b":" in body.split(b"\n", 1)[0]:
            headers, _, body = body.partition(b"\n\n")
        try:
            der = base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyFileError(f"PEM block {label} is not valid base64") from exc
        blocks.append((label, headers, der))
    if not blocks and b"-----BEGIN" in data:
        raise KeyFileError("truncated PEM: no complete BEGIN/END block")
    return blocks


def _private_key(decoded: _pkcs8.EcPrivateKey) -> PrivateKey:
    key: PrivateKey
    if decoded.curve == _pkcs8.SM2_CURVE:
        key = Sm2PrivateKey.from_bytes(decoded.private_key)
    else:
        key = Secp256k1PrivateKey.from_bytes(decoded.private_key)
    if decoded.public_key is not None and decoded.public_key != key.public_key.to_bytes():
        raise InvalidKeyError("the public key in the file does not match its private key")
    return key


def _decode_pem_private(data: bytes, passphrase: bytes | None) -> PrivateKey:
    blocks = _pem_blocks(data)
    for label, headers, der in blocks:
        try:
            if label == "PRIVATE KEY":
                return _private_key(_pkcs8.decode_private_key(der))
            if label == "ENCRYPTED PRIVATE KEY":
                if passphrase is None:
                    raise PassphraseRequiredError("the key file is encrypted: give its passphrase")
                plain = _pkcs8.decrypt_private_key(der, passphrase)
                return _private_key(_pkcs8.decode_private_key(plain))
            if label == "EC PRIVATE KEY":
                if b"ENCRYPTED" in headers:
                    raise KeyFileError(
                        "legacy encrypted EC PEM is not supported; convert it with "
                        "`openssl pkcs8 -topk8`"
                    )
                return _private_key(_pkcs8.decode_ec_private_key(der, None))
        except (_der.DerError, ValueError, IndexError) as exc:
            raise KeyFileError(f"malformed {label} PEM: {exc}") from exc
    raise KeyFileError("no private key found in the PEM data")


def load_private_key(source: Source, passphrase: bytes | None = None) -> PrivateKey:
    """A private key from a file path or the file's bytes.

    Accepts PKCS#8 PEM (``PRIVATE KEY``), PBES2-encrypted PKCS#8 (``ENCRYPTED PRIVATE KEY``,
    needs ``passphrase``), SEC 1 ``EC PRIVATE KEY`` PEM, and a FISCO python-sdk
    ``gm_account.json`` (``passphrase`` is its password). Raises :class:`KeyFileError` for an
    unreadable, truncated or wrongly decrypted file and :class:`InvalidKeyError` for a key of
    another curve or an out-of-range scalar.
    """
    data = _read(source)
    if data.lstrip().startswith(b"{"):
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise KeyFileError("JSON key file is not valid JSON") from exc
        if isinstance(document, dict) and "crypto" in document:
            if passphrase is None:
                raise PassphraseRequiredError("a keystore file needs its password")
            return load_keystore(document, passphrase)
        password = None if passphrase is None else passphrase.decode("utf-8", "strict")
        return load_fisco_gm_account(document, password)
    return _decode_pem_private(data, passphrase)


def load_public_key(source: Source) -> PublicKey:
    """A public key from ``PUBLIC KEY`` PEM (SubjectPublicKeyInfo), e.g. FISCO's
    ``.public.pem``."""
    for label, _, der in _pem_blocks(_read(source)):
        if label == "PUBLIC KEY":
            try:
                curve, point = _pkcs8.decode_public_key(der)
            except (_der.DerError, ValueError, IndexError) as exc:
                raise KeyFileError(f"malformed PUBLIC KEY PEM: {exc}") from exc
            if curve == _pkcs8.SM2_CURVE:
                return Sm2PublicKey.from_bytes(point)
            return Secp256k1PublicKey.from_bytes(point)
    raise KeyFileError("no PUBLIC KEY block found")


def _pem(label: str, der: bytes) -> bytes:
    body = base64.b64encode(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    begin = f"-----BEGIN {label}-----\n".encode()
    end = f"-----END {label}-----\n".encode()
    return b"".join([begin, *(line + b"\n" for line in lines), end])


def _curve(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, Sm2PrivateKey | Sm2PublicKey):
        return _pkcs8.SM2_CURVE
    return _pkcs8.SECP256K1_CURVE


def private_key_to_pem(
    key: PrivateKey,
    passphrase: bytes | None = None,
    *,
    cipher: str = "aes-256-cbc",
    iterations: int = _pkcs8.DEFAULT_PBKDF2_ITERATIONS,
) -> bytes:
    """PKCS#8 PEM as OpenSSL 3 writes it; with ``passphrase``, PBES2-encrypted
    (``cipher`` ``aes-256-cbc`` or ``sm4-cbc``)."""
    der = _pkcs8.encode_private_key(_curve(key), key.to_bytes(), key.public_key.to_bytes())
    if passphrase is None:
        return _pem("PRIVATE KEY", der)
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    ciphers = {"aes-256-cbc": _pkcs8.AES_256_CBC, "sm4-cbc": _pkcs8.SM4_CBC}
    if cipher not in ciphers:
        raise ValueError(f"cipher must be one of {sorted(ciphers)}")
    encrypted = _pkcs8.encrypt_private_key(
        der, passphrase, cipher=ciphers[cipher], iterations=iterations
    )
    return _pem("ENCRYPTED PRIVATE KEY", encrypted)


def public_key_to_pem(key: PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM (``PUBLIC KEY``)."""
    return _pem("PUBLIC KEY", _pkcs8.encode_public_key(_curve(key), key.to_bytes()))


def write_private_key(
    path: str | os.PathLike[str],
    key: PrivateKey,
    passphrase: bytes | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Write :func:`private_key_to_pem` to ``path`` with mode 0600, created that way (never
    world-readable, not even briefly). Refuses to replace a file unless ``overwrite``."""
    data = private_key_to_pem(key, passphrase)
    target = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        descriptor = os.open(target, flags, 0o600)
    except FileExistsError as exc:
        raise KeyFileError(f"{target} exists; refusing to overwrite a key file") from exc
    except OSError as exc:
        raise KeyFileError(f"cannot create {target}: {exc.strerror}") from exc
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, data)
    finally:
        os.close(descriptor)
    return target


def fisco_pem_filename(key: PrivateKey | PublicKey) -> str:
    """The FISCO console's account file name, ``0x<address>.pem``."""
    public = key.public_key if isinstance(key, Sm2PrivateKey | Secp256k1PrivateKey) else key
    return address_of(public) + ".pem"


# --- FISCO python-sdk gm_account.json ---------------------------------------------------------


def _fisco_sm4_key(password: str) -> bytes:
    """The SDK's key: the password right-padded with '0' to 16 characters, used directly."""
    key = password.ljust(16, "0").encode("utf-8")
    if len(key) != 16:
        raise KeyFileError("gm_account.json passwords are at most 16 bytes")
    return key


def load_fisco_gm_account(
    source: Source | Mapping[str, object], password: str | None
) -> Sm2PrivateKey:
    """Import a FISCO python-sdk ``gm_account.json`` (PROTOCOL.md, key file V4).

    When ``encrypt`` is true, ``private_key`` is base64 of SM4-CBC (key = password padded with
    '0' to 16 characters, IV = 16 zero bytes, PKCS#7) over the ASCII hex private key, and
    ``mac`` is the hex SM3 of that padded password. The stored ``address`` must match the key.
    This scheme is weak (no KDF, zero IV): re-protect imported keys with
    :func:`write_private_key`.
    """
    if isinstance(source, Mapping):
        document: object = dict(source)
    elif isinstance(source, dict | list):
        document = source
    else:
        try:
            document = json.loads(_read(source).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise KeyFileError("gm_account.json is not valid JSON") from exc
    if not isinstance(document, dict):
        raise KeyFileError("gm_account.json must hold a JSON object")
    if document.get("type", "gm") != "gm":
        raise KeyFileError("not a guomi (type gm) account file")
    material = document.get("private_key")
    if not isinstance(material, str):
        raise KeyFileError("gm_account.json has no private_key")
    if document.get("encrypt", False):
        if password is None:
            raise PassphraseRequiredError("gm_account.json is encrypted: give its password")
        key = _fisco_sm4_key(password)
        mac = document.get("mac")
        if isinstance(mac, str) and mac.lower() != sm3(key).hex():
            raise KeyFileError("wrong password for gm_account.json")
        try:
            ciphertext = base64.b64decode(material, validate=True)
            material = cbc_decrypt(key, bytes(16), ciphertext).decode("ascii")
        except (binascii.Error, ValueError, CryptoError) as exc:
            raise KeyFileError("cannot decrypt gm_account.json (wrong password?)") from exc
    try:
        private = bytes.fromhex(material.strip().removeprefix("0x").rjust(64, "0"))
    except ValueError as exc:
        raise KeyFileError("gm_account.json private_key is not hex") from exc
    account = Sm2PrivateKey.from_bytes(private)
    stored = document.get("address")
    if isinstance(stored, str) and stored.lower() != address_of(account.public_key):
        raise KeyFileError("gm_account.json address does not match its private key")
    return account


# --- Ethereum keystore v3 (python-sdk ECDSA accounts) ----------------------------------------


def load_keystore(source: Source | Mapping[str, object], password: bytes) -> Secp256k1PrivateKey:
    """Import a secp256k1 key from an Ethereum keystore v3 file (``*.keystore``), which the
    FISCO python-sdk uses for ECDSA accounts: scrypt or PBKDF2-HMAC-SHA256, AES-128-CTR, and
    MAC = Keccak-256(derived_key[16:32] ‖ ciphertext)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    from gateway.crypto.hashing import keccak256

    if isinstance(source, Mapping):
        document: Mapping[str, object] = source
    else:
        try:
            document = json.loads(_read(source).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise KeyFileError("keystore is not valid JSON") from exc
    try:
        crypto = _mapping(document["crypto"])
        params = _mapping(crypto["kdfparams"])
        salt = bytes.fromhex(str(params["salt"]))
        length = int(str(params["dklen"]))
        if crypto["kdf"] == "scrypt":
            n, r, p = (int(str(params[name])) for name in ("n", "r", "p"))
            if n > 2**20 or r > 32 or p > 16:
                raise KeyFileError("unreasonable scrypt parameters")
            derived = _keystore_scrypt(password, salt, n, r, p, length)
        elif crypto["kdf"] == "pbkdf2" and params.get("prf") == "hmac-sha256":
            derived = hashlib.pbkdf2_hmac("sha256", password, salt, int(str(params["c"])), length)
        else:
            raise KeyFileError(f"unsupported keystore kdf {crypto['kdf']!r}")
        if crypto["cipher"] != "aes-128-ctr":
            raise KeyFileError(f"unsupported keystore cipher {crypto['cipher']!r}")
        iv = bytes.fromhex(str(_mapping(crypto["cipherparams"])["iv"]))
        ciphertext = bytes.fromhex(str(crypto["ciphertext"]))
        mac = bytes.fromhex(str(crypto["mac"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyFileError(f"malformed keystore: {exc}") from exc
    if not hmac.compare_digest(keccak256(derived[16:32] + ciphertext), mac):
        raise KeyFileError("wrong password for keystore")
    decryptor = Cipher(algorithms.AES(derived[:16]), modes.CTR(iv)).decryptor()
    key = Secp256k1PrivateKey.from_bytes(decryptor.update(ciphertext) + decryptor.finalize())
    stored = document.get("address")
    if isinstance(stored, str) and stored.lower().removeprefix("0x") != address_of(
        key.public_key
    ).removeprefix("0x"):
        raise KeyFileError("keystore address does not match its private key")
    return key


def _keystore_scrypt(password: bytes, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    """scrypt (RFC 7914). Keystores written by common tools use N = 2^18 with r = 1, beyond
    RFC 7914's bound N < 2^(16 r) that OpenSSL enforces, so those go through pycryptodome."""
    if n < 2 ** (16 * r):
        return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=2**30)
    from Crypto.Protocol import KDF

    scrypt: Any = KDF.scrypt  # its stubs say str, it takes bytes
    derived = scrypt(password, salt, length, N=n, r=r, p=p)
    return bytes(derived)


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TypeError("expected a JSON object")
    return value
