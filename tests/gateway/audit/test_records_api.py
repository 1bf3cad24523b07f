"""Auditors search the access log: filters, paging, scope."""

from __future__ import annotations

from typing import Any

from tests.alliance_support import Alliance


def _search(alliance: Alliance, token: str, **params: Any) -> Any:
    return alliance.client.get(
        "/api/v1/audit/records", query_string=params, headers={"Authorization": f"Bearer {token}"}
    )


def test_auditor_finds_every_access_with_filters_and_pages(alliance: Alliance) -> None:
    sample = alliance.sample("NRD-TITLE", consumer="TAX")
    tax = alliance.token("TAX")
    body = {"purpose": sample["purpose"], "params": sample["params"]}
    for _ in range(3):
        assert alliance.query(tax, "NRD-TITLE", body).status_code == 200
    denied = alliance.query(tax, "CIV-MARRIAGE", {"purpose": "1", "params": {"id_number": "x"}})
    assert denied.status_code == 403
    alliance.container.anchorer.run_once()
    assert alliance.query(tax, "NRD-TITLE", body).status_code == 200  # still pending

    auditor = alliance.token("GAO")
    everything = _search(alliance, auditor).get_json()["items"]
    assert len(everything) == 5
    assert [
        r["decision"] for r in _search(alliance, auditor, decision="denied").get_json()["items"]
    ] == ["denied"]
    assert (
        len(_search(alliance, auditor, consumer="TAX", entry_id="NRD-TITLE").get_json()["items"])
        == 4
    )
    anchored = _search(alliance, auditor, anchoring="anchored").get_json()["items"]
    assert len(anchored) == 4
    assert all(r["root"] and r["tx_hash"] and r["sequence"] for r in anchored)
    assert len(_search(alliance, auditor, anchoring="pending").get_json()["items"]) == 1
    first = _search(alliance, auditor, limit=2).get_json()
    second = _search(alliance, auditor, limit=2, after=first["next_cursor"]).get_json()
    assert [r["id"] for r in first["items"] + second["items"]] == [r["id"] for r in everything[:4]]
    later = _search(alliance, auditor, **{"from": "2999-01-01T00:00:00+00:00"}).get_json()
    assert later["items"] == []


def test_audit_needs_the_audit_scope(alliance: Alliance) -> None:
    response = _search(alliance, alliance.token("NRD"))
    assert response.status_code == 403
    assert response.get_json()["code"] == "insufficient_scope"
