"""JWS with SM2 signatures over SM3 (GB/T 32918, GB/T 32905) for joserfc and Authlib.

RFC 7518 has no guomi algorithm, so the alliance defines one: ``alg`` = ``SM2SM3``, the JWS
signing input signed with SM2 using the default user ID ``1234567812345678`` (Z applied),
the signature encoded as raw r‖s (64 bytes), like ES256 encodes ECDSA. Keys are JWKs with
``kty`` = ``EC``, ``crv`` = ``SM2`` and base64url ``x``/``y`` (and ``d`` for private keys).

joserfc only accepts its own key classes, so :class:`Sm2Jwk` subclasses ``ECKey`` while
holding gateway SM2 keys; only :class:`Sm2JwsAlgorithm` ever uses it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from joserfc.errors import InvalidKeyTypeError
from joserfc.jwk import ECKey
from joserfc.jws import JWSAlgModel, JWSRegistry
from joserfc.util import urlsafe_b64encode

from gateway.crypto.errors import CryptoError
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature

ALGORITHM = "SM2SM3"
CURVE = "SM2"


class Sm2Jwk(ECKey):
    """An SM2 key in JWK clothing: public for verification, private for signing."""

    key_type: ClassVar[str] = "EC"

    def __init__(self, key: Sm2PublicKey | Sm2PrivateKey, kid: str | None = None) -> None:
        public = key.public_key if isinstance(key, Sm2PrivateKey) else key
        raw = public.to_bytes()
        value: dict[str, Any] = {
            "kty": "EC",
            "crv": CURVE,
            "x": urlsafe_b64encode(raw[:32]).decode(),
            "y": urlsafe_b64encode(raw[32:]).decode(),
            "alg": ALGORITHM,
            "use": "sig",
        }
        if kid:
            value["kid"] = kid
        self._sm2_public = public
        self._sm2_private = key if isinstance(key, Sm2PrivateKey) else None
        self._raw_value = key  # type: ignore[assignment]
        self.original_value = None
        self.extra_parameters = None
        self._dict_value = value

    @property
    def sm2_public(self) -> Sm2PublicKey:
        return self._sm2_public

    @property
    def sm2_private(self) -> Sm2PrivateKey | None:
        return self._sm2_private

    @property
    def is_private(self) -> bool:
        return self._sm2_private is not None

    def as_dict(self, private: bool | None = None, **params: Any) -> dict[str, Any]:
        return {**self._dict_value, **params}

    @property
    def curve_name(self) -> str:
        return CURVE


class Sm2JwsAlgorithm(JWSAlgModel):
    """``SM2SM3``: SM2 signature (user ID ``1234567812345678``) with SM3, raw r‖s."""

    name = ALGORITHM
    description = "SM2 signature with SM3 digest (GB/T 32918 / GB/T 32905)"
    recommended = True
    key_type = "EC"
    algorithm_security = 128

    def _key(self, key: Any) -> Sm2Jwk:
        if not isinstance(key, Sm2Jwk):
            raise InvalidKeyTypeError(f"Algorithm '{ALGORITHM}' requires an SM2 key")
        return key

    def sign(self, msg: bytes, key: Any) -> bytes:
        private = self._key(key).sm2_private
        if private is None:
            raise InvalidKeyTypeError("signing needs the SM2 private key")
        return private.sign(msg, DEFAULT_USER_ID).to_raw()

    def verify(self, msg: bytes, sig: bytes, key: Any) -> bool:
        public = self._key(key).sm2_public
        try:
            signature = Sm2Signature.from_raw(sig)
        except CryptoError:
            return False
        return public.verify(msg, signature, DEFAULT_USER_ID)


def register_sm2_jws() -> None:
    """Make ``SM2SM3`` known to joserfc (idempotent; called by the composition root)."""
    if ALGORITHM not in JWSRegistry.algorithms:
        JWSRegistry.register(Sm2JwsAlgorithm())
