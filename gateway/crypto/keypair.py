"""A key pair of either FISCO BCOS crypto suite, with its address and signer.

There is no process-wide suite: each key pair knows its own (``sm`` = SM2/SM3, ``ecdsa`` =
secp256k1/Keccak-256), so one process can serve guomi and non-guomi chains side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.crypto.secp256k1 import Secp256k1PrivateKey
from gateway.crypto.signing import (
    PrivateKey,
    PublicKey,
    Signer,
    Suite,
    Verifier,
    address_of,
    signer_for,
    suite_of,
    verifier_for,
)
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey

SUITES: tuple[Suite, ...] = ("sm", "ecdsa")


@dataclass(frozen=True, eq=True)
class KeyPair:
    """A private key with its public key, suite and address."""

    private_key: PrivateKey

    @classmethod
    def generate(cls, suite: Suite = "sm") -> KeyPair:
        """A fresh key from the OS CSPRNG for ``suite``."""
        if suite == "sm":
            return cls(Sm2PrivateKey.generate())
        if suite == "ecdsa":
            return cls(Secp256k1PrivateKey.generate())
        raise ValueError(f"unknown crypto suite {suite!r} (expected 'sm' or 'ecdsa')")

    @property
    def suite(self) -> Suite:
        return suite_of(self.private_key)

    @property
    def public_key(self) -> PublicKey:
        return self.private_key.public_key

    @property
    def address(self) -> str:
        """Lower-case ``0x`` address (suite hash of the 64-byte public key, last 20 bytes)."""
        return address_of(self.public_key)

    def signer(self, user_id: bytes = DEFAULT_USER_ID, key_id: str | None = None) -> Signer:
        return signer_for(self.private_key, user_id, key_id)

    def verifier(self, user_id: bytes = DEFAULT_USER_ID) -> Verifier:
        return verifier_for(self.public_key, user_id)

    def describe(self) -> dict[str, str]:
        """The public facts operators see: suite, 128-hex public key, address."""
        return {
            "suite": self.suite,
            "public_key": self.public_key.to_bytes().hex(),
            "address": self.address,
        }

    def __repr__(self) -> str:
        return f"KeyPair(suite={self.suite!r}, address={self.address!r})"
