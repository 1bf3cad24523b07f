"""FISCO BCOS 3.x transactions: TARS ``TransactionData`` inside a TARS ``Transaction``.

The transaction hash (``dataHash``) is not taken over the TARS bytes but over the fields
concatenated without length prefixes: ``int32be(version) || chainID || groupID ||
int64be(blockLimit) || nonce || to || input || abi``, then for version >= 1 ``value ||
gasPrice || int64be(gasLimit) || maxFeePerGas || maxPriorityFeePerGas`` and for version >= 2
``extension``. The node recomputes it and rejects a mismatch. The signature is ``r||s||v``
(65 bytes, ``v`` = recovery id) for ECDSA and ``r||s||X||Y`` (128 bytes) for SM2.
"""

from __future__ import annotations

import re
import secrets
import struct
from dataclasses import dataclass

from gateway.chain.errors import TransactionDecodeError, TransactionFieldError
from gateway.chain.suite import CryptoSuite, EcdsaSuite, PrivateKey
from gateway.chain.tx.tars import TarsValue, TarsWriter, decode_fields

#: SDKs use ``current height + 500``; 3.x nodes accept ``(height, height + 600]``.
BLOCK_LIMIT_RANGE = 500
INT64_MAX = (1 << 63) - 1
VERSIONS = (0, 1, 2)
_HEX_QUANTITY = re.compile(r"0x[0-9a-fA-F]+")


def _check_quantity(name: str, text: str) -> None:
    """Fields 9, 10, 12 and 13 are hex strings (``0x…``) on a 3.x node, or left empty."""
    if text and not _HEX_QUANTITY.fullmatch(text):
        raise TransactionFieldError(f"{name} is a 0x hex string or empty, got {text!r}")


@dataclass(frozen=True)
class TransactionOptionsV3:
    """What a 3.x transaction carries beyond version 0: ``version`` 1 adds ``value``,
    ``gas_price``, ``gas_limit``, ``max_fee_per_gas`` and ``max_priority_fee_per_gas`` (hex
    strings but ``gas_limit``), version 2 also ``extension`` (free bytes)."""

    version: int = 0
    value: str = ""
    gas_price: str = ""
    gas_limit: int = 0
    max_fee_per_gas: str = ""
    max_priority_fee_per_gas: str = ""
    extension: bytes = b""

    def fields(self) -> dict[str, object]:
        """The keyword arguments of :class:`TransactionDataV3` these options set."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def random_nonce() -> str:
    """A random uint256 as a decimal string, as the 3.x SDKs put in ``nonce``."""
    return str(secrets.randbits(256))


@dataclass(frozen=True)
class TransactionDataV3:
    """The signed-over part of a 3.x transaction. ``to`` is ``""`` for a deploy."""

    chain_id: str
    group_id: str
    block_limit: int
    nonce: str
    to: str = ""
    input: bytes = b""
    abi: str = ""
    version: int = 0
    value: str = ""
    gas_price: str = ""
    gas_limit: int = 0
    max_fee_per_gas: str = ""
    max_priority_fee_per_gas: str = ""
    extension: bytes = b""

    def check(self) -> None:
        """Raise :class:`TransactionFieldError` for fields a 3.x node cannot take: a version
        other than 0, 1 or 2, a field of a later version than the transaction's (the node
        would leave it out of the hash), int64 overflow, non-hex quantities."""
        if type(self.version) is not int or self.version not in VERSIONS:
            raise TransactionFieldError("3.x transaction version is 0, 1 or 2")
        if not 0 <= self.block_limit <= INT64_MAX or not 0 <= self.gas_limit <= INT64_MAX:
            raise TransactionFieldError("block_limit and gas_limit are int64")
        later = {
            "value": (1, self.value),
            "gas_price": (1, self.gas_price),
            "gas_limit": (1, self.gas_limit),
            "max_fee_per_gas": (1, self.max_fee_per_gas),
            "max_priority_fee_per_gas": (1, self.max_priority_fee_per_gas),
            "extension": (2, self.extension),
        }
        for name, (since, value) in later.items():
            if value and self.version < since:
                raise TransactionFieldError(
                    f"{name} is a version-{since} field; this is a version-{self.version} "
                    "transaction"
                )
        for name in ("value", "gas_price", "max_fee_per_gas", "max_priority_fee_per_gas"):
            _check_quantity(name, getattr(self, name))

    def hash_preimage(self) -> bytes:
        """The field concatenation the data hash is computed over."""
        self.check()
        parts = [
            struct.pack(">i", self.version),
            self.chain_id.encode(),
            self.group_id.encode(),
            struct.pack(">q", self.block_limit),
            self.nonce.encode(),
            self.to.encode(),
            self.input,
            self.abi.encode(),
        ]
        if self.version >= 1:
            parts += [
                self.value.encode(),
                self.gas_price.encode(),
                struct.pack(">q", self.gas_limit),
                self.max_fee_per_gas.encode(),
                self.max_priority_fee_per_gas.encode(),
            ]
        if self.version >= 2:
            parts.append(self.extension)
        return b"".join(parts)

    def data_hash(self, suite: CryptoSuite) -> bytes:
        return suite.hash(self.hash_preimage())

    def write(self, writer: TarsWriter, tag: int) -> None:
        """TARS struct: version..nonce always written, empty optional fields left out."""
        writer.struct_begin(tag)
        writer.write_int(1, self.version)
        writer.write_string(2, self.chain_id.encode())
        writer.write_string(3, self.group_id.encode())
        writer.write_int(4, self.block_limit)
        writer.write_string(5, self.nonce.encode())
        if self.to:
            writer.write_string(6, self.to.encode())
        if self.input:
            writer.write_bytes(7, self.input)
        if self.abi:
            writer.write_string(8, self.abi.encode())
        for tag_, text in ((9, self.value), (10, self.gas_price)):
            if text:
                writer.write_string(tag_, text.encode())
        if self.gas_limit:
            writer.write_int(11, self.gas_limit)
        for tag_, text in ((12, self.max_fee_per_gas), (13, self.max_priority_fee_per_gas)):
            if text:
                writer.write_string(tag_, text.encode())
        if self.extension:
            writer.write_bytes(14, self.extension)
        writer.struct_end()


@dataclass(frozen=True)
class SignedTransactionV3:
    """A signed 3.x transaction and what the node derives from it."""

    data: TransactionDataV3
    data_hash: bytes  # also the transaction hash
    signature: bytes  # ECDSA r||s||v (65), SM2 r||s||pub (128)
    raw: bytes  # TARS Transaction
    sender: bytes
    signature_valid: bool
    suite_name: str
    import_time: int = 0
    attribute: int = 0

    @property
    def tx_hash(self) -> bytes:
        return self.data_hash


def encode_transaction(
    data: TransactionDataV3,
    data_hash: bytes,
    signature: bytes,
    *,
    import_time: int = 0,
    attribute: int = 0,
) -> bytes:
    writer = TarsWriter()
    data.write(writer, 1)
    writer.write_bytes(2, data_hash)
    writer.write_bytes(3, signature)
    if import_time:
        writer.write_int(4, import_time)
    if attribute:
        writer.write_int(5, attribute)
    return writer.getvalue()


def sign_transaction(
    data: TransactionDataV3, suite: CryptoSuite, private_key: PrivateKey, *, attribute: int = 0
) -> SignedTransactionV3:
    data_hash = data.data_hash(suite)
    signed = suite.sign_hash(private_key, data_hash)
    rs = signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big")
    if signed.recovery_id is None:
        signature = rs + signed.public_key
    else:
        signature = rs + bytes([signed.recovery_id])
    return SignedTransactionV3(
        data=data,
        data_hash=data_hash,
        signature=signature,
        raw=encode_transaction(data, data_hash, signature, attribute=attribute),
        sender=suite.address_of(signed.public_key),
        signature_valid=True,
        suite_name=suite.name,
        attribute=attribute,
    )


def _text(fields: dict[int, TarsValue], tag: int) -> str:
    value = fields.get(tag, b"")
    if not isinstance(value, bytes):
        raise TransactionDecodeError(f"TransactionData tag {tag} must be a string")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TransactionDecodeError(f"TransactionData tag {tag} is not UTF-8") from exc


def _int(fields: dict[int, TarsValue], tag: int) -> int:
    value = fields.get(tag, 0)
    if not isinstance(value, int):
        raise TransactionDecodeError(f"tag {tag} must be an integer")
    return value


def _bytes(fields: dict[int, TarsValue], tag: int) -> bytes:
    value = fields.get(tag, b"")
    if not isinstance(value, bytes):
        raise TransactionDecodeError(f"tag {tag} must be bytes")
    return value


def decode_transaction(raw: bytes, suite: CryptoSuite) -> SignedTransactionV3:
    """Decode a TARS 3.x transaction, check its data hash and signature, derive the sender."""
    top = decode_fields(bytes(raw))
    body = top.get(1)
    if not isinstance(body, dict):
        raise TransactionDecodeError("a 3.x transaction starts with its TransactionData struct")
    data = TransactionDataV3(
        version=_int(body, 1),
        chain_id=_text(body, 2),
        group_id=_text(body, 3),
        block_limit=_int(body, 4),
        nonce=_text(body, 5),
        to=_text(body, 6),
        input=_bytes(body, 7),
        abi=_text(body, 8),
        value=_text(body, 9),
        gas_price=_text(body, 10),
        gas_limit=_int(body, 11),
        max_fee_per_gas=_text(body, 12),
        max_priority_fee_per_gas=_text(body, 13),
        extension=_bytes(body, 14),
    )
    try:
        data_hash = data.data_hash(suite)
    except TransactionFieldError as exc:
        raise TransactionDecodeError(f"TransactionData out of range: {exc}") from exc
    claimed_hash = _bytes(top, 2)
    signature = _bytes(top, 3)
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    sender = b""
    valid = False
    if isinstance(suite, EcdsaSuite):
        if len(signature) != 65:
            raise TransactionDecodeError(f"ECDSA signature is 65 bytes, got {len(signature)}")
        public_key = suite.recover(data_hash, r, s, signature[64])
        if public_key is not None:
            sender, valid = suite.address_of(public_key), True
    else:
        if len(signature) != 128:
            raise TransactionDecodeError(f"SM2 signature is 128 bytes, got {len(signature)}")
        sender = suite.address_of(signature[64:])
        valid = suite.verify_hash(signature[64:], data_hash, r, s)
    return SignedTransactionV3(
        data=data,
        data_hash=data_hash,
        signature=signature,
        raw=bytes(raw),
        sender=sender,
        signature_valid=valid and claimed_hash == data_hash,
        suite_name=suite.name,
        import_time=_int(top, 4),
        attribute=_int(top, 5),
    )
