"""FISCO BCOS 2.x transactions: the RLP list of 10 unsigned and 13 signed items.

Layout (RC2 format of every 2.0+ release): ``nonce, gasPrice, gas, blockLimit, to, value,
data, chainId, groupId, extraData`` then ``v, r, s``. The signing hash is the suite hash of
the RLP of the first 10 items, the transaction hash is the suite hash of the 13-item RLP.

* ECDSA: ``v`` is one byte, ``27 + recovery_id`` (no EIP-155 chain id), ``s`` is low.
* SM2: ``v`` is the signer's 64-byte public key ``X||Y``, always written as 64 bytes (the node
  re-encodes it as a fixed-width h512, so a shorter item would change the node's tx hash).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import rlp
from rlp.codec import encode_raw
from rlp.exceptions import DecodingError

from gateway.chain.errors import TransactionDecodeError, TransactionFieldError
from gateway.chain.suite import CryptoSuite, EcdsaSuite, PrivateKey

UINT256_LIMIT = 1 << 256
#: SDKs use ``current height + 500``; the node accepts ``(height, height + 1000]``.
BLOCK_LIMIT_RANGE = 500
ECDSA_V_OFFSET = 27


@dataclass(frozen=True)
class TransactionFieldsV2:
    """The 10 signed-over fields, in RLP order."""

    nonce: int
    gas_price: int
    gas_limit: int
    block_limit: int
    to: bytes  # b"" for a deploy, else 20 bytes
    value: int
    data: bytes
    chain_id: int
    group_id: int
    extra_data: bytes

    @property
    def is_deploy(self) -> bool:
        return self.to == b""


@dataclass(frozen=True)
class SignedTransactionV2:
    """A signed 2.x transaction with everything a node derives from it."""

    fields: TransactionFieldsV2
    v: bytes | int  # SM: 64-byte public key; ECDSA: 27 or 28
    r: int
    s: int
    raw: bytes  # the canonical 13-item RLP, as the node stores and hashes it
    signing_hash: bytes
    tx_hash: bytes
    sender: bytes  # 20 bytes; empty when an ECDSA signature cannot be recovered
    signature_valid: bool
    suite_name: str


def random_nonce() -> int:
    """A 256-bit replay-protection nonce from the OS CSPRNG (the node rejects repeats)."""
    return secrets.randbits(256)


def _int_item(value: int, name: str) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TransactionFieldError(f"{name} must be an integer")
    if not 0 <= value < UINT256_LIMIT:
        raise TransactionFieldError(f"{name} must be in [0, 2**256)")
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _bytes_item(value: bytes, name: str) -> bytes:
    if not isinstance(value, bytes | bytearray):
        raise TransactionFieldError(f"{name} must be bytes")
    return bytes(value)


def _unsigned_items(fields: TransactionFieldsV2) -> list[bytes]:
    to = _bytes_item(fields.to, "to")
    if len(to) not in (0, 20):
        raise TransactionFieldError(f"to must be empty (deploy) or 20 bytes, got {len(to)}")
    return [
        _int_item(fields.nonce, "nonce"),
        _int_item(fields.gas_price, "gas_price"),
        _int_item(fields.gas_limit, "gas_limit"),
        _int_item(fields.block_limit, "block_limit"),
        to,
        _int_item(fields.value, "value"),
        _bytes_item(fields.data, "data"),
        _int_item(fields.chain_id, "chain_id"),
        _int_item(fields.group_id, "group_id"),
        _bytes_item(fields.extra_data, "extra_data"),
    ]


def encode_unsigned(fields: TransactionFieldsV2) -> bytes:
    """RLP of the 10 unsigned items: what the signing hash is taken over."""
    # every item is already a byte string: skip pyrlp's per-item serializer inference
    return encode_raw(_unsigned_items(fields))


def _v_item(v: bytes | int, suite: CryptoSuite) -> bytes:
    if isinstance(suite, EcdsaSuite):
        if not isinstance(v, int) or v not in (ECDSA_V_OFFSET, ECDSA_V_OFFSET + 1):
            raise TransactionFieldError("ECDSA v must be 27 or 28")
        return bytes([v])
    if not isinstance(v, bytes) or len(v) != 64:
        raise TransactionFieldError("SM2 v must be the 64-byte public key")
    return v


def encode_signed(
    fields: TransactionFieldsV2, v: bytes | int, r: int, s: int, suite: CryptoSuite
) -> bytes:
    """RLP of the 13 signed items (SM2 ``v`` always 64 bytes)."""
    items = [*_unsigned_items(fields), _v_item(v, suite), _int_item(r, "r"), _int_item(s, "s")]
    return encode_raw(items)


def sign_transaction(
    fields: TransactionFieldsV2, suite: CryptoSuite, private_key: PrivateKey
) -> SignedTransactionV2:
    """Sign ``fields`` with ``private_key`` under ``suite`` and build the raw transaction."""
    signing_hash = suite.hash(encode_unsigned(fields))
    signature = suite.sign_hash(private_key, signing_hash)
    v: bytes | int
    if signature.recovery_id is None:
        v = signature.public_key
    else:
        v = ECDSA_V_OFFSET + signature.recovery_id
    raw = encode_signed(fields, v, signature.r, signature.s, suite)
    return SignedTransactionV2(
        fields=fields,
        v=v,
        r=signature.r,
        s=signature.s,
        raw=raw,
        signing_hash=signing_hash,
        tx_hash=suite.hash(raw),
        sender=suite.address_of(signature.public_key),
        signature_valid=True,
        suite_name=suite.name,
    )


def _decode_int(item: bytes, name: str) -> int:
    if item[:1] == b"\x00":
        raise TransactionDecodeError(f"{name} is not a canonical RLP integer (leading zero)")
    if len(item) > 32:
        raise TransactionDecodeError(f"{name} does not fit in 256 bits")
    return int.from_bytes(item, "big")


def decode_raw_transaction(raw: bytes, suite: CryptoSuite) -> SignedTransactionV2:
    """Decode a signed 2.x transaction, recompute its hashes and check or recover the sender.

    For SM2 the sender is ``SM3(v)[12:]`` and ``signature_valid`` says whether ``(r, s)``
    verifies under that key; for ECDSA the sender is recovered and ``signature_valid`` is
    false when recovery fails (high ``s``, bad ``v``, point not on the curve).
    """
    try:
        items = rlp.decode(bytes(raw))
    except DecodingError as exc:
        raise TransactionDecodeError(f"not valid RLP: {exc}") from exc
    if not isinstance(items, list) or len(items) != 13:
        count = len(items) if isinstance(items, list) else "a string, not a list of"
        raise TransactionDecodeError(f"a 2.x transaction is an RLP list of 13 items, got {count}")
    if not all(isinstance(item, bytes) for item in items):
        raise TransactionDecodeError("a 2.x transaction has no nested lists")
    to = items[4]
    if len(to) not in (0, 20):
        raise TransactionDecodeError(f"to must be empty or 20 bytes, got {len(to)}")
    fields = TransactionFieldsV2(
        nonce=_decode_int(items[0], "nonce"),
        gas_price=_decode_int(items[1], "gas_price"),
        gas_limit=_decode_int(items[2], "gas_limit"),
        block_limit=_decode_int(items[3], "block_limit"),
        to=to,
        value=_decode_int(items[5], "value"),
        data=items[6],
        chain_id=_decode_int(items[7], "chain_id"),
        group_id=_decode_int(items[8], "group_id"),
        extra_data=items[9],
    )
    v_item = items[10]
    r = _decode_int(items[11], "r")
    s = _decode_int(items[12], "s")
    signing_hash = suite.hash(encode_unsigned(fields))
    v: bytes | int
    if isinstance(suite, EcdsaSuite):
        if len(v_item) != 1:
            raise TransactionDecodeError(
                f"ECDSA v is one byte, got {len(v_item)} (is this a guomi transaction?)"
            )
        v_byte = v_item[0]
        v = v_byte
        public_key = suite.recover(signing_hash, r, s, v_byte - ECDSA_V_OFFSET)
        valid = public_key is not None
        sender = suite.address_of(public_key) if public_key is not None else b""
        canonical = encode_raw(items)
    else:
        if not 32 <= len(v_item) <= 64:
            raise TransactionDecodeError(
                f"SM2 v is the 64-byte public key, got {len(v_item)} bytes"
            )
        # The node reads v as a right-aligned h512 and writes it back as 64 bytes.
        public_key_v = v_item.rjust(64, b"\x00")
        v = public_key_v
        sender = suite.address_of(public_key_v)
        valid = suite.verify_hash(public_key_v, signing_hash, r, s)
        canonical = encode_raw([*items[:10], public_key_v, items[11], items[12]])
    return SignedTransactionV2(
        fields=fields,
        v=v,
        r=r,
        s=s,
        raw=canonical,
        signing_hash=signing_hash,
        tx_hash=suite.hash(canonical),
        sender=sender,
        signature_valid=valid,
        suite_name=suite.name,
    )
