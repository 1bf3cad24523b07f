"""审计日志: an access found on the page verifies against the chain once anchored; a department
user sees only the accesses it took part in."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import update

from gateway.console.roles import ConsoleRole
from gateway.evidence.tables import AccessRecordRow
from tests.alliance_support import Alliance

from .conftest import PASSWORD, csrf_of


def _login(alliance: Alliance, username: str) -> FlaskClient:
    client = alliance.app.test_client()
    page = client.get("/console/login")
    answer = client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 302
    return client


def test_an_anchored_access_verifies_and_departments_see_only_their_own(
    alliance: Alliance,
) -> None:
    accounts = alliance.container.console.accounts
    accounts.create("auditor1", "审计员", ConsoleRole.AUDITOR, PASSWORD, None)
    accounts.create("civ1", "民政厅", ConsoleRole.DEPARTMENT, PASSWORD, "CIV")
    accounts.create("tax1", "税务局", ConsoleRole.DEPARTMENT, PASSWORD, "TAX")
    sample = alliance.sample("NRD-TITLE", consumer="TAX")
    answer = alliance.query(
        alliance.token("TAX"),
        "NRD-TITLE",
        {"purpose": sample["purpose"], "params": sample["params"]},
    )
    assert answer.status_code == 200
    request_id = answer.get_json()["request_id"]

    auditor = _login(alliance, "auditor1")
    pending = auditor.get(f"/console/audit/{request_id}")
    checked = auditor.post(
        f"/console/audit/{request_id}/verify", data={"csrf_token": csrf_of(pending.text)}
    )
    assert checked.status_code == 200
    assert "记录尚未上链" in checked.text.split('data-testid="verification"')[1]

    alliance.container.anchorer.run_once()
    listing = auditor.get("/console/audit?anchoring=anchored").text
    assert f'data-request="{request_id}"' in listing
    page = auditor.get(f"/console/audit/{request_id}")
    verified = auditor.post(
        f"/console/audit/{request_id}/verify", data={"csrf_token": csrf_of(page.text)}
    )
    section = verified.text.split('data-testid="verification"')[1]
    assert "全部检查通过" in section
    for check in ("receipt_signature", "inclusion_proof", "anchored_root", "anchored_position"):
        assert check in section

    with alliance.container.engine.begin() as connection:
        connection.execute(
            update(AccessRecordRow)
            .where(AccessRecordRow.request_id == request_id)
            .values(purpose="TAMPERED")
        )
    page = auditor.get(f"/console/audit/{request_id}")
    tampered = auditor.post(
        f"/console/audit/{request_id}/verify", data={"csrf_token": csrf_of(page.text)}
    )
    section = tampered.text.split('data-testid="verification"')[1]
    assert "核验未通过" in section
    assert '<td class="bad">' in section

    tax = _login(alliance, "tax1")
    assert f'data-request="{request_id}"' in tax.get("/console/audit").text
    civ = _login(alliance, "civ1")
    assert f'data-request="{request_id}"' not in civ.get("/console/audit").text
    assert civ.get(f"/console/audit/{request_id}").status_code == 404
