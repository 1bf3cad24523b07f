"""SM4 known answers (GB/T 32907, RFC 8998) and GCM/CBC behaviour."""

from __future__ import annotations

import gmssl_pyx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.crypto import sm4
from gateway.crypto.errors import DecryptionError, InvalidKeyError

KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_gbt_32907_block_vector() -> None:
    # GB/T 32907-2016 Appendix A example 1: key = plaintext = 0123...3210.
    first_block = sm4.cbc_encrypt(KEY, bytes(16), KEY)[:16]
    assert first_block.hex() == "681edf34d206965e86b3e94f536e4246"


def test_rfc_8998_gcm_vector() -> None:
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plaintext = bytes.fromhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    expected = bytes.fromhex(
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
        "83DE3541E4C2B58177E065A9BF7B62EC"
    )
    assert sm4.gcm_encrypt(KEY, nonce, plaintext, aad) == expected
    assert sm4.gcm_decrypt(KEY, nonce, expected, aad) == plaintext


def test_gcm_detects_tampering() -> None:
    sealed = sm4.seal(KEY, b"personal data", b"record-7")
    assert sm4.unseal(KEY, sealed, b"record-7") == b"personal data"
    for position in (0, 12, len(sealed) - 1):
        altered = bytearray(sealed)
        altered[position] ^= 1
        with pytest.raises(DecryptionError):
            sm4.unseal(KEY, bytes(altered), b"record-7")
    with pytest.raises(DecryptionError):
        sm4.unseal(KEY, sealed, b"record-8")
    with pytest.raises(DecryptionError):
        sm4.unseal(bytes(16), sealed, b"record-7")
    with pytest.raises(DecryptionError):
        sm4.unseal(KEY, sealed[:20])


def test_seal_uses_fresh_nonces() -> None:
    assert sm4.seal(KEY, b"same") != sm4.seal(KEY, b"same")


def test_cbc_agrees_with_gmssl() -> None:
    iv = bytes(range(16))
    for plaintext in (b"x", b"y" * 16, b"z" * 33):
        ours = sm4.cbc_encrypt(KEY, iv, plaintext)
        assert ours == gmssl_pyx.sm4_cbc_padding_encrypt(KEY, iv, plaintext)
        assert sm4.cbc_decrypt(KEY, iv, ours) == plaintext


def test_cbc_rejects_bad_input() -> None:
    with pytest.raises(DecryptionError):
        sm4.cbc_decrypt(KEY, bytes(16), b"short")
    with pytest.raises(DecryptionError):
        sm4.cbc_decrypt(KEY, bytes(16), b"")
    with pytest.raises(InvalidKeyError):
        sm4.cbc_encrypt(b"short key", bytes(16), b"data")


def test_cbc_wrong_key_is_a_decryption_error_or_garbage() -> None:
    ciphertext = sm4.cbc_encrypt(KEY, bytes(16), b"secret value 123")
    try:
        result = sm4.cbc_decrypt(bytes(16), bytes(16), ciphertext)
    except DecryptionError:
        return
    assert result != b"secret value 123"


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=200), aad=st.binary(max_size=40))
def test_gcm_round_trip(plaintext: bytes, aad: bytes) -> None:
    assert sm4.unseal(KEY, sm4.seal(KEY, plaintext, aad), aad) == plaintext


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=200))
def test_cbc_round_trip(plaintext: bytes) -> None:
    iv = bytes(16)
    ciphertext = sm4.cbc_encrypt(KEY, iv, plaintext)
    assert len(ciphertext) % 16 == 0 and len(ciphertext) > len(plaintext)
    assert sm4.cbc_decrypt(KEY, iv, ciphertext) == plaintext
