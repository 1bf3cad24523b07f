"""Typed errors of the cryptography package.

Every error carries a stable ``code`` so callers (HTTP problem documents, CLI, logs) can map it
without reading the message text.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every error raised by :mod:`gateway.crypto`."""

    code: str = "crypto_error"


class InvalidKeyError(CryptoError):
    """A key is malformed: bad length, point not on the curve, scalar zero or out of range,
    or a key of another curve than expected."""

    code = "invalid_key"


class InvalidSignatureEncoding(CryptoError):
    """A signature is malformed: bad DER or raw length, or r/s equal to 0 or not below n."""

    code = "invalid_signature_encoding"


class KeyFileError(CryptoError):
    """A key file cannot be used: unreadable or truncated PEM, wrong passphrase, unsupported
    encryption, or a malformed FISCO ``gm_account.json``."""

    code = "key_file_error"


class InvalidUserIdError(CryptoError):
    """An SM2 distinguishing identifier that GB/T 32918 cannot encode (ENTL is 16 bits)."""

    code = "invalid_user_id"


class DecryptionError(CryptoError):
    """Authenticated decryption failed: wrong key, tampered ciphertext or tag, bad padding."""

    code = "decryption_failed"


class CanonicalJsonError(CryptoError):
    """A value has no RFC 8785 canonical form (e.g. a float NaN or an integer beyond 2^53)."""

    code = "non_canonical_json"


class BackendUnavailableError(CryptoError):
    """A requested cryptographic backend is not installed or failed its self-test."""

    code = "backend_unavailable"
