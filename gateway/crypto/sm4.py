"""SM4 block cipher (GB/T 32907-2016) in GCM and CBC modes, through pyca/cryptography.

* GCM (NIST SP 800-38D with SM4, as in RFC 8998) is the default for data at rest: it
  authenticates as well as encrypts. :func:`seal` / :func:`unseal` pick a fresh 96-bit
  nonce per message and carry it in front of the ciphertext.
* CBC with PKCS#7 padding exists because FISCO BCOS python-sdk account files use it; it does
  not authenticate, so do not use it for new data.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from gateway.crypto.errors import DecryptionError, InvalidKeyError

KEY_SIZE = 16
BLOCK_SIZE = 16
GCM_NONCE_SIZE = 12
GCM_TAG_SIZE = 16


def _algorithm(key: bytes) -> algorithms.SM4:
    if len(key) != KEY_SIZE:
        raise InvalidKeyError("an SM4 key is 16 bytes")
    return algorithms.SM4(bytes(key))


def gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes = b"") -> bytes:
    """SM4-GCM: returns ciphertext ‖ 16-byte tag. Never reuse a (key, nonce) pair."""
    if len(nonce) < 8:
        raise ValueError("an SM4-GCM nonce has at least 8 bytes (12 recommended)")
    encryptor = Cipher(_algorithm(key), modes.GCM(bytes(nonce))).encryptor()
    encryptor.authenticate_additional_data(associated_data)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return ciphertext + encryptor.tag


def gcm_decrypt(key: bytes, nonce: bytes, data: bytes, associated_data: bytes = b"") -> bytes:
    """Inverse of :func:`gcm_encrypt`; :class:`DecryptionError` if anything was altered."""
    if len(data) < GCM_TAG_SIZE:
        raise DecryptionError("SM4-GCM data is shorter than its tag")
    if len(nonce) < 8:
        raise DecryptionError("an SM4-GCM nonce has at least 8 bytes")
    ciphertext, tag = data[:-GCM_TAG_SIZE], data[-GCM_TAG_SIZE:]
    decryptor = Cipher(_algorithm(key), modes.GCM(bytes(nonce), tag)).decryptor()
    decryptor.authenticate_additional_data(associated_data)
    try:
        return decryptor.update(ciphertext) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("SM4-GCM authentication failed") from exc


def seal(key: bytes, plaintext: bytes, associated_data: bytes = b"") -> bytes:
    """Encrypt with a fresh random nonce: returns nonce(12) ‖ ciphertext ‖ tag(16)."""
    nonce = os.urandom(GCM_NONCE_SIZE)
    return nonce + gcm_encrypt(key, nonce, plaintext, associated_data)


def unseal(key: bytes, sealed: bytes, associated_data: bytes = b"") -> bytes:
    """Inverse of :func:`seal`."""
    if len(sealed) < GCM_NONCE_SIZE + GCM_TAG_SIZE:
        raise DecryptionError("sealed SM4-GCM data is truncated")
    return gcm_decrypt(key, sealed[:GCM_NONCE_SIZE], sealed[GCM_NONCE_SIZE:], associated_data)


def cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """SM4-CBC with PKCS#7 padding (RFC 5652 6.3)."""
    if len(iv) != BLOCK_SIZE:
        raise ValueError("an SM4-CBC IV is 16 bytes")
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(_algorithm(key), modes.CBC(bytes(iv))).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """Inverse of :func:`cbc_encrypt`; :class:`DecryptionError` on bad length or padding."""
    if len(iv) != BLOCK_SIZE:
        raise DecryptionError("an SM4-CBC IV is 16 bytes")
    if not ciphertext or len(ciphertext) % BLOCK_SIZE:
        raise DecryptionError("SM4-CBC ciphertext is not a whole number of blocks")
    decryptor = Cipher(_algorithm(key), modes.CBC(bytes(iv))).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise DecryptionError("SM4-CBC padding is invalid (wrong key?)") from exc
