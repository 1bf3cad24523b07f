"""SM2 behaviour over every backend: round trips, rejection of tampering and of bad input,
encodings, and an independent check with the pure-Python PyPI ``gmssl`` verifier."""

from __future__ import annotations

import pytest
from gmssl import sm2 as pypi_gmssl_sm2
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.crypto import _sm2_curve
from gateway.crypto import backend as sm2_backends
from gateway.crypto.backend import Sm2SignBackend, Sm2VerifyBackend
from gateway.crypto.errors import InvalidKeyError, InvalidSignatureEncoding, InvalidUserIdError
from gateway.crypto.sm2 import (
    CURVE_ORDER,
    DEFAULT_USER_ID,
    Sm2PrivateKey,
    Sm2PublicKey,
    Sm2Signature,
)

N = CURVE_ORDER


def test_sign_verify_across_backends(
    sign_backend: Sm2SignBackend, verify_backend: Sm2VerifyBackend
) -> None:
    key = Sm2PrivateKey.generate(backend=sign_backend)
    public = Sm2PublicKey.from_bytes(key.public_key.to_bytes(), backend=verify_backend)
    message = "数据共享 evidence".encode()
    signature = key.sign(message)
    assert public.verify(message, signature)
    assert not public.verify(message + b".", signature)
    assert not public.verify(message, Sm2Signature(signature.r, signature.s % (N - 1) + 1))
    assert not public.verify(message, signature, user_id=b"another-user")
    other = Sm2PublicKey.from_bytes(Sm2PrivateKey.generate().public_key.to_bytes())
    assert not other.verify(message, signature)


def test_custom_user_id_round_trip(
    sign_backend: Sm2SignBackend, verify_backend: Sm2VerifyBackend
) -> None:
    key = Sm2PrivateKey.generate(backend=sign_backend)
    public = Sm2PublicKey.from_bytes(key.public_key.to_bytes(), backend=verify_backend)
    signature = key.sign(b"m", user_id=b"dept-03@alliance")
    assert public.verify(b"m", signature, user_id=b"dept-03@alliance")
    assert not public.verify(b"m", signature)


def test_signatures_are_randomised(sign_backend: Sm2SignBackend) -> None:
    key = Sm2PrivateKey.generate(backend=sign_backend)
    assert key.sign(b"same") != key.sign(b"same")


def test_user_id_too_long_for_entl_is_rejected() -> None:
    key = Sm2PrivateKey.generate()
    with pytest.raises(InvalidUserIdError):
        key.sign(b"m", user_id=b"x" * 8192)
    assert key.public_key.verify(b"m", key.sign(b"m", user_id=b"x" * 8191), user_id=b"x" * 8191)


def test_independent_pure_python_verifier_accepts_our_signatures(
    sign_backend: Sm2SignBackend,
) -> None:
    """PyPI gmssl 3.2.2 verifies with Z under the default ID. It mangles public keys whose
    hex starts with "04" (``lstrip``), so such keys are not given to it."""
    key = Sm2PrivateKey.generate(backend=sign_backend)
    while key.public_key.to_bytes().hex().startswith("04"):
        key = Sm2PrivateKey.generate(backend=sign_backend)
    verifier = pypi_gmssl_sm2.CryptSM2(private_key=None, public_key=key.public_key.to_bytes().hex())
    signature = key.sign(b"checked elsewhere", DEFAULT_USER_ID)
    assert verifier.verify_with_sm3(signature.to_raw().hex(), b"checked elsewhere")
    assert not verifier.verify_with_sm3(signature.to_raw().hex(), b"checked elsewherf")


# --- keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scalar", [0, N - 1, N, 2**256 - 1])
def test_out_of_range_private_keys_are_rejected(scalar: int) -> None:
    with pytest.raises(InvalidKeyError):
        Sm2PrivateKey.from_bytes(scalar.to_bytes(32, "big"))


@pytest.mark.parametrize("length", [0, 31, 33])
def test_private_key_length_is_checked(length: int) -> None:
    with pytest.raises(InvalidKeyError):
        Sm2PrivateKey.from_bytes(b"\x01" * length)


def test_extreme_valid_private_keys_work() -> None:
    for scalar in (1, N - 2):
        key = Sm2PrivateKey.from_bytes(scalar.to_bytes(32, "big"))
        assert key.public_key.verify(b"edge", key.sign(b"edge"))


def test_point_not_on_curve_is_rejected() -> None:
    good = Sm2PrivateKey.generate().public_key.to_bytes()
    bad = good[:-1] + bytes([good[-1] ^ 1])
    with pytest.raises(InvalidKeyError):
        Sm2PublicKey.from_bytes(bad)
    with pytest.raises(InvalidKeyError):
        Sm2PublicKey.from_bytes(bytes(64))


def test_coordinates_at_or_above_p_are_rejected() -> None:
    x, y = _sm2_curve.GX, _sm2_curve.GY
    with pytest.raises(InvalidKeyError):
        Sm2PublicKey(x + _sm2_curve.P, y)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x04" * 33, b"\x03" + bytes(64), b"\x02" + bytes(32), bytes(66)],
    ids=["empty", "short", "bad-prefix", "compressed", "long"],
)
def test_malformed_public_key_encodings_are_rejected(data: bytes) -> None:
    with pytest.raises(InvalidKeyError):
        Sm2PublicKey.from_bytes(data)


def test_public_key_encodings() -> None:
    public = Sm2PrivateKey.generate().public_key
    assert Sm2PublicKey.from_bytes(public.to_sec1()) == public
    assert Sm2PublicKey.from_bytes(public.to_bytes()) == public
    assert public.to_sec1() == b"\x04" + public.to_bytes()


def test_private_key_repr_does_not_show_the_secret() -> None:
    key = Sm2PrivateKey.generate()
    assert key.to_bytes().hex() not in repr(key)


# --- signatures -----------------------------------------------------------------------------


@pytest.mark.parametrize(("r", "s"), [(0, 1), (1, 0), (N, 1), (1, N), (2**256 - 1, 1)], ids=str)
def test_out_of_range_signature_values_are_rejected(r: int, s: int) -> None:
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    with pytest.raises(InvalidSignatureEncoding):
        Sm2Signature.from_raw(raw)
    with pytest.raises(InvalidSignatureEncoding):
        Sm2Signature(r, s)


@pytest.mark.parametrize(
    "der",
    [
        b"",
        bytes.fromhex("3006020101020101ff"),  # trailing byte
        bytes.fromhex("30060201010201"),  # truncated
        bytes.fromhex("3007020200010201 01".replace(" ", "")),  # non-minimal INTEGER
        bytes.fromhex("3006020181020101"),  # negative INTEGER
        bytes.fromhex("308106020101020101"),  # non-minimal length
        bytes.fromhex("3003020101"),  # one INTEGER
        bytes.fromhex("3009020101020101020101"),  # three INTEGERs
        bytes.fromhex("3106020101020101"),  # SET, not SEQUENCE
        bytes.fromhex("3006020100020101"),  # r = 0
    ],
    ids=[
        "empty",
        "trailing",
        "truncated",
        "non-minimal-int",
        "negative",
        "long-length",
        "one-int",
        "three-ints",
        "set",
        "r-zero",
    ],
)
def test_malformed_der_signatures_are_rejected(der: bytes) -> None:
    with pytest.raises(InvalidSignatureEncoding):
        Sm2Signature.from_der(der)


@pytest.mark.parametrize("length", [0, 63, 65])
def test_raw_signature_length_is_checked(length: int) -> None:
    with pytest.raises(InvalidSignatureEncoding):
        Sm2Signature.from_raw(b"\x01" * length)


def test_verify_returns_false_for_foreign_objects_and_bad_digests() -> None:
    key = Sm2PrivateKey.generate()
    signature = key.sign(b"m")
    assert not key.public_key.verify(b"m", signature.to_raw())  # type: ignore[arg-type]
    assert not key.public_key.verify_digest(b"short", signature)


scalars = st.integers(min_value=1, max_value=N - 1)


@given(r=scalars, s=scalars)
def test_raw_and_der_encodings_are_inverse(r: int, s: int) -> None:
    signature = Sm2Signature(r, s)
    assert Sm2Signature.from_raw(signature.to_raw()) == signature
    assert Sm2Signature.from_der(signature.to_der()) == signature
    assert len(signature.to_raw()) == 64


@settings(max_examples=60, deadline=None)
@given(
    message=st.binary(max_size=300),
    user_id=st.binary(max_size=40),
    flip=st.integers(0, 63),
    signer_name=st.sampled_from(sm2_backends.available_sign_backends()),
    verifier_name=st.sampled_from(sm2_backends.available_verify_backends()),
)
def test_property_round_trip_and_tamper(
    message: bytes, user_id: bytes, flip: int, signer_name: str, verifier_name: str
) -> None:
    key = Sm2PrivateKey.generate(backend=sm2_backends.sign_backend(signer_name))
    signature = key.sign(message, user_id)
    public = Sm2PublicKey.from_bytes(
        key.public_key.to_bytes(), backend=sm2_backends.verify_backend(verifier_name)
    )
    assert public.verify(message, signature, user_id)
    assert not public.verify(message + b"\x00", signature, user_id)
    assert not public.verify(message, signature, user_id + b"\x00")
    raw = bytearray(signature.to_raw())
    raw[flip] ^= 0x01
    try:
        tampered = Sm2Signature.from_raw(bytes(raw))
    except InvalidSignatureEncoding:
        return
    assert not public.verify(message, tampered, user_id)
