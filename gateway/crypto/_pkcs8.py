"""ASN.1 structures of key files: PKCS#8 PrivateKeyInfo (RFC 5958) wrapping a SEC 1
ECPrivateKey (RFC 5915), SubjectPublicKeyInfo (RFC 5480), and PKCS#5 PBES2 encryption
(RFC 8018) with PBKDF2 or scrypt (RFC 7914).

The shapes are those OpenSSL 3 writes: ``id-ecPublicKey`` with the named curve sm2p256v1
(1.2.156.10197.1.301) or secp256k1 (1.3.132.0.10) in the outer AlgorithmIdentifier, and no
curve parameters inside the ECPrivateKey.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from gateway.crypto import _der
from gateway.crypto.errors import InvalidKeyError, KeyFileError

EC_PUBLIC_KEY = "1.2.840.10045.2.1"
SM2_CURVE = "1.2.156.10197.1.301"
SECP256K1_CURVE = "1.3.132.0.10"
SUPPORTED_CURVES = (SM2_CURVE, SECP256K1_CURVE)

PBES2 = "1.2.840.113549.1.5.13"
PBKDF2 = "1.2.840.113549.1.5.12"
SCRYPT = "1.3.6.1.4.1.11591.4.11"
_PRFS = {
    "1.2.840.113549.2.7": "sha1",
    "1.2.840.113549.2.8": "sha224",
    "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384",
    "1.2.840.113549.2.11": "sha512",
}
HMAC_WITH_SHA256 = "1.2.840.113549.2.9"
_CIPHERS: dict[str, tuple[str, int]] = {
    "2.16.840.1.101.3.4.1.2": ("aes", 16),
    "2.16.840.1.101.3.4.1.22": ("aes", 24),
    "2.16.840.1.101.3.4.1.42": ("aes", 32),
    "1.2.156.10197.1.104.2": ("sm4", 16),
}
AES_256_CBC = "2.16.840.1.101.3.4.1.42"
SM4_CBC = "1.2.156.10197.1.104.2"
DEFAULT_PBKDF2_ITERATIONS = 600_000


@dataclass(frozen=True)
class EcPrivateKey:
    """What a private key file holds: the curve OID, the scalar, and the public point if the
    file carries one (64-byte X ‖ Y)."""

    curve: str
    private_key: bytes
    public_key: bytes | None


def _algorithm(curve: str) -> bytes:
    return _der.encode_sequence(_der.encode_oid(EC_PUBLIC_KEY), _der.encode_oid(curve))


def encode_private_key(curve: str, private_key: bytes, public_key: bytes) -> bytes:
    """PKCS#8 PrivateKeyInfo DER, byte for byte as OpenSSL 3 writes it."""
    inner = _der.encode_sequence(
        _der.encode_integer(1),
        _der.encode(_der.OCTET_STRING, private_key),
        _der.encode(0xA1, _der.encode_bit_string(b"\x04" + public_key)),
    )
    return _der.encode_sequence(
        _der.encode_integer(0), _algorithm(curve), _der.encode(_der.OCTET_STRING, inner)
    )


def encode_public_key(curve: str, public_key: bytes) -> bytes:
    """SubjectPublicKeyInfo DER (RFC 5480) with an uncompressed point."""
    return _der.encode_sequence(_algorithm(curve), _der.encode_bit_string(b"\x04" + public_key))


def _curve_of(algorithm: _der.Element) -> str:
    parts = algorithm.expect(_der.SEQUENCE).children()
    if len(parts) != 2 or parts[0].as_oid() != EC_PUBLIC_KEY:
        raise InvalidKeyError("not an elliptic-curve key (id-ecPublicKey)")
    if parts[1].tag != _der.OBJECT_IDENTIFIER:
        raise InvalidKeyError("explicit curve parameters are not supported; use a named curve")
    curve = parts[1].as_oid()
    if curve not in SUPPORTED_CURVES:
        raise InvalidKeyError(f"unsupported curve {curve} (expected sm2p256v1 or secp256k1)")
    return curve


def _point(bits: bytes) -> bytes:
    if len(bits) != 65 or bits[0] != 0x04:
        raise InvalidKeyError("only uncompressed 65-byte public points are supported")
    return bits[1:]


def decode_ec_private_key(der: bytes, curve: str | None) -> EcPrivateKey:
    """SEC 1 ECPrivateKey (RFC 5915); ``curve`` comes from the PKCS#8 wrapper if any."""
    fields = _der.decode_exact(der).expect(_der.SEQUENCE).children()
    if len(fields) < 2 or fields[0].as_integer() != 1:
        raise KeyFileError("not an ECPrivateKey version 1")
    scalar = fields[1].as_octets()
    if len(scalar) > 32:
        raise InvalidKeyError("private scalar longer than 32 bytes")
    public: bytes | None = None
    for field in fields[2:]:
        if field.tag == 0xA0:
            inner = field.children()
            if len(inner) != 1 or inner[0].tag != _der.OBJECT_IDENTIFIER:
                raise InvalidKeyError("explicit curve parameters are not supported")
            named = inner[0].as_oid()
            if curve is not None and named != curve:
                raise InvalidKeyError("curve in ECPrivateKey differs from the PKCS#8 curve")
            curve = named
        elif field.tag == 0xA1:
            inner = field.children()
            if len(inner) != 1:
                raise KeyFileError("malformed ECPrivateKey public key")
            public = _point(inner[0].as_bit_string())
        else:
            raise KeyFileError("unexpected field in ECPrivateKey")
    if curve is None:
        raise InvalidKeyError("the key file does not name its curve")
    if curve not in SUPPORTED_CURVES:
        raise InvalidKeyError(f"unsupported curve {curve} (expected sm2p256v1 or secp256k1)")
    return EcPrivateKey(curve, scalar.rjust(32, b"\x00"), public)


def decode_private_key(der: bytes) -> EcPrivateKey:
    """PKCS#8 PrivateKeyInfo (RFC 5958, version 0 or 1) holding an EC key."""
    fields = _der.decode_exact(der).expect(_der.SEQUENCE).children()
    if len(fields) < 3 or fields[0].as_integer() not in (0, 1):
        raise KeyFileError("not a PKCS#8 PrivateKeyInfo")
    curve = _curve_of(fields[1])
    return decode_ec_private_key(fields[2].as_octets(), curve)


def decode_public_key(der: bytes) -> tuple[str, bytes]:
    """SubjectPublicKeyInfo → (curve OID, 64-byte X ‖ Y)."""
    fields = _der.decode_exact(der).expect(_der.SEQUENCE).children()
    if len(fields) != 2:
        raise KeyFileError("not a SubjectPublicKeyInfo")
    return _curve_of(fields[0]), _point(fields[1].as_bit_string())


# --- PBES2 --------------------------------------------------------------------------------


def _cipher(oid: str, key: bytes, iv: bytes) -> Cipher[modes.CBC]:
    family, _ = _CIPHERS[oid]
    algorithm = algorithms.AES(key) if family == "aes" else algorithms.SM4(key)
    return Cipher(algorithm, modes.CBC(iv))


def encrypt_private_key(
    der: bytes,
    passphrase: bytes,
    *,
    cipher: str = AES_256_CBC,
    iterations: int = DEFAULT_PBKDF2_ITERATIONS,
) -> bytes:
    """EncryptedPrivateKeyInfo with PBES2 / PBKDF2-HMAC-SHA256 and a CBC cipher (AES-256 by
    default, as ``openssl pkcs8 -topk8`` does; SM4 on request)."""
    if cipher not in _CIPHERS:
        raise ValueError(f"unsupported PBES2 cipher {cipher}")
    salt = os.urandom(16)
    iv = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", passphrase, salt, iterations, _CIPHERS[cipher][1])
    padder = padding.PKCS7(128).padder()
    encryptor = _cipher(cipher, key, iv).encryptor()
    encrypted = encryptor.update(padder.update(der) + padder.finalize()) + encryptor.finalize()
    kdf = _der.encode_sequence(
        _der.encode_oid(PBKDF2),
        _der.encode_sequence(
            _der.encode(_der.OCTET_STRING, salt),
            _der.encode_integer(iterations),
            _der.encode_sequence(_der.encode_oid(HMAC_WITH_SHA256), _der.encode(_der.NULL, b"")),
        ),
    )
    scheme = _der.encode_sequence(
        kdf, _der.encode_sequence(_der.encode_oid(cipher), _der.encode(_der.OCTET_STRING, iv))
    )
    return _der.encode_sequence(
        _der.encode_sequence(_der.encode_oid(PBES2), scheme),
        _der.encode(_der.OCTET_STRING, encrypted),
    )


def _derive(kdf: _der.Element, passphrase: bytes, length: int) -> bytes:
    parts = kdf.expect(_der.SEQUENCE).children()
    if len(parts) != 2:
        raise KeyFileError("malformed key derivation parameters")
    name = parts[0].as_oid()
    params = parts[1].expect(_der.SEQUENCE).children()
    if name == PBKDF2:
        salt = params[0].as_octets()
        iterations = params[1].as_integer()
        prf = "sha1"
        for extra in params[2:]:
            if extra.tag == _der.INTEGER:
                if extra.as_integer() != length:
                    raise KeyFileError("PBKDF2 key length does not match the cipher")
            else:
                prf_oid = extra.expect(_der.SEQUENCE).children()[0].as_oid()
                if prf_oid not in _PRFS:
                    raise KeyFileError(f"unsupported PBKDF2 PRF {prf_oid}")
                prf = _PRFS[prf_oid]
        if not 1 <= iterations <= 10_000_000:
            raise KeyFileError("unreasonable PBKDF2 iteration count")
        return hashlib.pbkdf2_hmac(prf, passphrase, salt, iterations, length)
    if name == SCRYPT:
        salt = params[0].as_octets()
        n, r, p = (params[i].as_integer() for i in (1, 2, 3))
        if n > 2**20 or r > 32 or p > 16:
            raise KeyFileError("unreasonable scrypt parameters")
        return hashlib.scrypt(
            passphrase, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * 1024 * 1024
        )
    raise KeyFileError(f"unsupported key derivation {name}")


def decrypt_private_key(der: bytes, passphrase: bytes) -> bytes:
    """EncryptedPrivateKeyInfo (PBES2) → PrivateKeyInfo DER; KeyFileError if the passphrase
    is wrong or the scheme unsupported."""
    fields = _der.decode_exact(der).expect(_der.SEQUENCE).children()
    if len(fields) != 2:
        raise KeyFileError("not an EncryptedPrivateKeyInfo")
    algorithm = fields[0].expect(_der.SEQUENCE).children()
    if len(algorithm) != 2 or algorithm[0].as_oid() != PBES2:
        raise KeyFileError("only PBES2-encrypted keys are supported")
    kdf, encryption = algorithm[1].expect(_der.SEQUENCE).children()
    cipher_oid, iv_element = encryption.expect(_der.SEQUENCE).children()
    cipher = cipher_oid.as_oid()
    if cipher not in _CIPHERS:
        raise KeyFileError(f"unsupported key file cipher {cipher}")
    iv = iv_element.as_octets()
    if len(iv) != 16:
        raise KeyFileError("bad cipher IV")
    key = _derive(kdf, passphrase, _CIPHERS[cipher][1])
    encrypted = fields[1].as_octets()
    if not encrypted or len(encrypted) % 16:
        raise KeyFileError("encrypted key is not a whole number of blocks")
    decryptor = _cipher(cipher, key, iv).decryptor()
    padded = decryptor.update(encrypted) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise KeyFileError("wrong passphrase or corrupted key file") from exc
