"""The SM2 curve (GB/T 32918.5 recommended parameters, "sm2p256v1") and a pure-Python
reference implementation of its arithmetic, Z value and signature scheme (GB/T 32918.2).

This code is the portable fallback backend and derives public keys; the fast backends
(:mod:`gateway.crypto._openssl`, GmSSL through gmssl-pyx) are checked against it. It is not
constant-time: it signs only when no native backend is available.
"""

from __future__ import annotations

import secrets

from gateway.crypto.errors import InvalidKeyError, InvalidUserIdError
from gateway.crypto.hashing import sm3

P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

CURVE_OID = "1.2.156.10197.1.301"
_CURVE_BYTES = b"".join(v.to_bytes(32, "big") for v in (A, B, GX, GY))

Point = tuple[int, int]
_Jacobian = tuple[int, int, int]


def is_on_curve(x: int, y: int) -> bool:
    """True when (x, y) is an affine point of sm2p256v1 with coordinates in [0, p)."""
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def _double(point: _Jacobian) -> _Jacobian:
    x, y, z = point
    if y == 0 or z == 0:
        return (0, 1, 0)
    z2 = z * z % P
    # a = -3: M = 3 (X - Z^2)(X + Z^2)
    m = 3 * (x - z2) * (x + z2) % P
    y2 = y * y % P
    s = 4 * x * y2 % P
    x3 = (m * m - 2 * s) % P
    y3 = (m * (s - x3) - 8 * y2 * y2) % P
    z3 = 2 * y * z % P
    return (x3, y3, z3)


def _add(p1: _Jacobian, p2: _Jacobian) -> _Jacobian:
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    if z1 == 0:
        return p2
    if z2 == 0:
        return p1
    z1s = z1 * z1 % P
    z2s = z2 * z2 % P
    u1 = x1 * z2s % P
    u2 = x2 * z1s % P
    s1 = y1 * z2s * z2 % P
    s2 = y2 * z1s * z1 % P
    h = (u2 - u1) % P
    r = (s2 - s1) % P
    if h == 0:
        return _double(p1) if r == 0 else (0, 1, 0)
    h2 = h * h % P
    h3 = h * h2 % P
    u1h2 = u1 * h2 % P
    x3 = (r * r - h3 - 2 * u1h2) % P
    y3 = (r * (u1h2 - x3) - s1 * h3) % P
    z3 = h * z1 * z2 % P
    return (x3, y3, z3)


def _to_affine(point: _Jacobian) -> Point | None:
    x, y, z = point
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return (x * zi2 % P, y * zi2 * zi % P)


def _multiply(k: int, point: Point) -> _Jacobian:
    """k·point with a 4-bit fixed window (not constant-time)."""
    table: list[_Jacobian] = [(0, 1, 0), (point[0], point[1], 1)]
    for _ in range(14):
        table.append(_add(table[-1], table[1]))
    result: _Jacobian = (0, 1, 0)
    for shift in range((k.bit_length() + 3) // 4 * 4 - 4, -4, -4):
        for _ in range(4):
            result = _double(result)
        digit = (k >> shift) & 0xF
        if digit:
            result = _add(result, table[digit])
    return result


def multiply(k: int, point: Point) -> Point | None:
    """Affine k·point, or None for the point at infinity."""
    return _to_affine(_multiply(k, point))


def public_point(d: int) -> Point:
    """d·G: the public key of private scalar ``d``."""
    point = multiply(d, (GX, GY))
    if point is None:
        raise InvalidKeyError("private key maps to the point at infinity")
    return point


def check_private_scalar(d: int) -> None:
    """GB/T 32918.1 6.1: d ∈ [1, n-2] (n-1 is excluded because (1+d)^-1 must exist)."""
    if not 1 <= d <= N - 2:
        raise InvalidKeyError("SM2 private key must be in [1, n-2]")


def z_value(user_id: bytes, x: int, y: int) -> bytes:
    """Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 5.5)."""
    bits = len(user_id) * 8
    if bits > 0xFFFF:
        raise InvalidUserIdError("SM2 user ID longer than 8191 bytes cannot be encoded")
    return sm3(
        bits.to_bytes(2, "big")
        + user_id
        + _CURVE_BYTES
        + x.to_bytes(32, "big")
        + y.to_bytes(32, "big")
    )


def sign_digest(d: int, e: int, nonce: int | None = None) -> tuple[int, int]:
    """GB/T 32918.2 6.1 steps A3–A7 over the already computed e = SM3(Z_A ‖ M).

    ``nonce`` exists only for known-answer tests; normally k comes from the OS CSPRNG.
    """
    inverse = pow(1 + d, -1, N)
    while True:
        k = nonce if nonce is not None else 1 + secrets.randbelow(N - 1)
        point = multiply(k, (GX, GY))
        if point is None:  # impossible for k in [1, n-1]; kept for the type checker
            continue
        r = (e + point[0]) % N
        if r == 0 or r + k == N:
            if nonce is not None:
                raise ValueError("nonce gives a degenerate signature")
            continue
        s = inverse * (k - r * d) % N
        if s == 0:
            if nonce is not None:
                raise ValueError("nonce gives a degenerate signature")
            continue
        return r, s


def verify_digest(public: Point, e: int, r: int, s: int) -> bool:
    """GB/T 32918.2 7.1 steps B1–B7 over e = SM3(Z_A ‖ M')."""
    if not (1 <= r < N and 1 <= s < N):
        return False
    t = (r + s) % N
    if t == 0:
        return False
    point = _to_affine(_add(_multiply(s, (GX, GY)), _multiply(t, public)))
    if point is None:
        return False
    return (e + point[0]) % N == r
