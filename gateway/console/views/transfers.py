"""一件事办理: property-transfer cases and their attestations, each proof checked on chain."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.i18n import current_lang
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.console.transfer_text import render

routes = Routes()


@routes.get("/transfers", "transfers")
@auth.requires(*roles_of("transfers"))
def transfer_list() -> ResponseReturnValue:
    cases = auth.container().transfers.cases()
    return render(
        "transfers/list.html", cases=cases, page_title=PAGE["transfers"].title(current_lang())
    )


@routes.get("/transfers/<case_id>", "transfer_detail")
@auth.requires(*roles_of("transfers"))
def transfer_detail(case_id: str) -> ResponseReturnValue:
    case = auth.container().transfers.status(case_id)
    return render("transfers/detail.html", case=case, page_title=case["case_id"])
