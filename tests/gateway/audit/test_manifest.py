"""Row digests and the manifest signature, as an independent verifier recomputes them."""

from __future__ import annotations

from datetime import datetime

import pytest
import rfc8785
from gmssl import func as gmssl_func
from gmssl import sm2 as gmssl_sm2
from gmssl import sm3 as gmssl_sm3
from hypothesis import given
from hypothesis import strategies as st

from gateway.audit.manifest import (
    RECORD_COLUMNS,
    AuditWorkbookError,
    ManifestDigest,
    manifest_signature_valid,
    row_canonical_values,
    row_digest,
    row_json,
    sign_manifest,
)
from gateway.crypto.canonical import canonical_json
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey

ROW: list[str | int | datetime | None] = [
    "req-0001",
    datetime(2026, 11, 27, 14, 0, 0),
    datetime(2026, 11, 27, 14, 0, 0, 250000),
    "PSB",
    "NRD",
    "NRD-HOUSEHOLD",
    "0x" + "11" * 32,
    "M0101",
    "allowed",
    None,
    "0x" + "22" * 32,
    "0x" + "33" * 32,
    1,
    "0x" + "44" * 32,
    0,
    "[]",
    "0x" + "55" * 32,
    7,
    "2026-11-27T14:00:00.000000Z",
    "2026-11-27T14:00:00.250000Z",
]
ROW_JSON = (
    '["req-0001","2026-11-27T14:00:00.000000Z","2026-11-27T14:00:00.250000Z","PSB","NRD",'
    '"NRD-HOUSEHOLD","0x'
    + "11" * 32
    + '","M0101","allowed",null,"0x'
    + "22" * 32
    + '","0x'
    + "33" * 32
    + '",1,"0x'
    + "44" * 32
    + '",0,"[]","0x'
    + "55" * 32
    + '",7,'
    '"2026-11-27T14:00:00.000000Z","2026-11-27T14:00:00.250000Z"]'
)
ROW_DIGEST = "93e0b3e1b24e193fcf23b1c614a2a6937878e5aea55633173be686141517368a"


def _independent_sm3(data: bytes) -> bytes:
    return bytes.fromhex(gmssl_sm3.sm3_hash(gmssl_func.bytes_to_list(data)))


def test_row_digest_is_sm3_of_the_rows_canonical_json_with_times_as_text() -> None:
    assert len(ROW) == len(RECORD_COLUMNS)
    assert row_json(row_canonical_values(ROW)) == ROW_JSON.encode()
    assert rfc8785.dumps(row_canonical_values(ROW)) == ROW_JSON.encode()
    assert row_digest(ROW) == _independent_sm3(ROW_JSON.encode())
    assert row_digest(ROW).hex() == ROW_DIGEST


def test_a_time_outside_the_date_columns_is_refused() -> None:
    row = list(ROW)
    row[0] = datetime(2026, 1, 1)
    with pytest.raises(AuditWorkbookError) as caught:
        row_digest(row)
    assert caught.value.code == "malformed_audit_workbook"


cell_values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.text(alphabet=st.characters(exclude_categories=("Cs",))),
)


@given(st.lists(cell_values, max_size=25))
def test_row_json_is_rfc8785(values: list[str | int | None]) -> None:
    assert row_json(values) == rfc8785.dumps(values)


def test_manifest_signature_verifies_with_an_independent_sm2() -> None:
    key = Sm2PrivateKey.from_bytes(bytes.fromhex("39" * 32))
    digests = ManifestDigest()
    digests.add_row(b"\x01" * 32)
    digests.add_row(b"\x02" * 32)
    metadata = {"row_count": 2, "member": None}
    digest = digests.finish(metadata)
    assert digest == _independent_sm3(b"\x01" * 32 + b"\x02" * 32 + canonical_json(metadata))
    signature = sign_manifest(digest, key, DEFAULT_USER_ID)
    verifier = gmssl_sm2.CryptSM2(private_key=None, public_key=key.public_key.to_bytes().hex())
    assert verifier.verify_with_sm3(signature[2:], digest)
    assert manifest_signature_valid(digest, signature, key.public_key, DEFAULT_USER_ID)
    assert not manifest_signature_valid(digest, signature, key.public_key, b"another-user")
    assert not manifest_signature_valid(b"\0" * 32, signature, key.public_key, DEFAULT_USER_ID)
    assert not manifest_signature_valid(digest, signature[:-2], key.public_key, DEFAULT_USER_ID)


ANCHOR_ROW: list[str | int | datetime | None] = [
    "0x" + "aa" * 32,
    "direct",
    5,
    5,
    1,
    "anchored",
    "0x" + "bb" * 32,
    12,
    datetime(2026, 11, 27, 14, 0, 1, 500000),
    "2026-11-27T14:00:01.500000Z",
]
ANCHOR_ROW_DIGEST = "197bea350de52b685a1ef1963081a45f070d8cfad3237f53d061e654edbc51f9"
FINGERPRINT_OF_KEY_42 = "0xd99937c1b2ebcf083568d578dbfd0965c9e6dfbebf0add81172a24ba7da980c1"


def test_anchor_row_digest_known_answer_uses_the_time_text_and_matches_gmssl() -> None:
    from gateway.audit.manifest import anchor_row_digest

    canonical = [*ANCHOR_ROW[:8], ANCHOR_ROW[9], ANCHOR_ROW[9]]
    encoded = rfc8785.dumps(canonical)
    assert gmssl_sm3.sm3_hash(gmssl_func.bytes_to_list(encoded)) == ANCHOR_ROW_DIGEST
    assert anchor_row_digest(ANCHOR_ROW).hex() == ANCHOR_ROW_DIGEST


def test_key_fingerprint_known_answer_is_sm3_of_x_and_y() -> None:
    from gateway.audit.manifest import key_fingerprint

    public = Sm2PrivateKey.from_bytes(bytes.fromhex("42" * 32)).public_key
    assert (
        gmssl_sm3.sm3_hash(gmssl_func.bytes_to_list(public.to_bytes()))
        == (FINGERPRINT_OF_KEY_42[2:])
    )
    assert key_fingerprint(public) == FINGERPRINT_OF_KEY_42
