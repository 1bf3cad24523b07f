"""Guomi (SM2/SM3/SM4) and secp256k1 cryptography behind small interfaces."""
