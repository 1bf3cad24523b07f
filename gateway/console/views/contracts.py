"""智能合约管理: the deployed contracts, their ABI and source hash, artefact downloads."""

from __future__ import annotations

from flask import Response
from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.audit import OK
from gateway.console.i18n import current_lang
from gateway.console.page_text import render
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.onchain.registry import DeploymentUnavailable

routes = Routes()


@routes.get("/contracts", "contracts")
@auth.requires(*roles_of("contracts"))
def contract_list() -> ResponseReturnValue:
    registry = auth.container().contracts
    try:
        contracts = registry.contracts()
        problem = None
    except DeploymentUnavailable as exc:
        contracts, problem = [], exc.detail
    return render(
        "contracts/list.html",
        contracts=contracts,
        problem=problem,
        page_title=PAGE["contracts"].title(current_lang()),
    )


@routes.get("/contracts/<name>", "contract_detail")
@auth.requires(*roles_of("contracts"))
def contract_detail(name: str) -> ResponseReturnValue:
    contract = auth.container().contracts.contract(name)
    return render("contracts/detail.html", contract=contract, page_title=contract.name)


@routes.get("/contracts/<name>/artefact", "contract_artefact")
@auth.requires(*roles_of("contracts"))
def contract_artefact(name: str) -> ResponseReturnValue:
    filename, body = auth.container().contracts.artefact(name)
    auth.record("contract_download", OK, name, filename)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
