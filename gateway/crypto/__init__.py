"""Guomi (SM2/SM3/SM4) and secp256k1 cryptography behind small interfaces.

Import the modules directly: ``hashing`` (SM3, Keccak-256, HMAC-SM3), ``sm2``, ``secp256k1``,
``sm4``, ``canonical`` (RFC 8785 and the message digest), ``signing`` (Signer/Verifier,
addresses), ``keypair``, ``keyfiles`` and ``backend`` (which SM2 implementation runs here).
This package imports nothing else from the gateway and does nothing at import time; there is
no process-wide mode: every key knows its own suite. See docs/crypto.md.
"""
