"""链历史: which chain anchored which evidence, the handovers between them, and the witnesses."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.i18n import current_lang
from gateway.console.page_text import render
from gateway.console.pages import PAGE, Routes, roles_of

routes = Routes()


@routes.get("/chains", "chains")
@auth.requires(*roles_of("chains"))
def chain_history() -> ResponseReturnValue:
    container = auth.container()
    history = container.chain_history
    return render(
        "chains/list.html",
        periods=history.periods(),
        handovers=history.handovers(),
        checkpoint=container.checkpoints.latest(),
        page_title=PAGE["chains"].title(current_lang()),
    )
