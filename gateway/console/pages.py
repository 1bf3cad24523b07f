"""The console's pages: who may see each one, and how page modules add their views.

``PAGES`` is the one table of the navigation and of the role each page allows; a page module
in ``gateway/console/views/`` collects its views in a module-level :class:`Routes` named ``routes``,
and :func:`gateway.console.views.install_views` adds every such module to the blueprint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint

from gateway.console.roles import ADMIN, AUDITOR, DEPARTMENT, EVERYONE, OPERATOR, ConsoleRole

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


@dataclass(frozen=True)
class Page:
    """One entry of the navigation; ``key`` is also the endpoint name of its main view."""

    key: str
    title_zh: str
    title_en: str
    roles: frozenset[ConsoleRole]

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh

    def allows(self, role: ConsoleRole) -> bool:
        return role in self.roles


PAGES: tuple[Page, ...] = (
    Page("home", "首页", "Home", EVERYONE),
    Page("records", "上链记录查询", "On-chain records", frozenset({ADMIN, AUDITOR, DEPARTMENT})),
    Page("contracts", "智能合约管理", "Smart contracts", frozenset({ADMIN, AUDITOR, OPERATOR})),
    Page("chains", "链历史", "Chain history", frozenset({ADMIN, AUDITOR, OPERATOR})),
    Page("federation", "多级联盟", "Federation", frozenset({ADMIN, AUDITOR, OPERATOR})),
    Page("apis", "API管理", "APIs", frozenset({ADMIN, AUDITOR, OPERATOR})),
    Page("members", "成员管理", "Members", frozenset({ADMIN, AUDITOR, DEPARTMENT})),
    Page("catalog", "数据目录", "Data catalogue", frozenset({ADMIN, AUDITOR, DEPARTMENT})),
    Page("grants", "授权管理", "Grants", frozenset({ADMIN, AUDITOR, DEPARTMENT})),
    Page("transfers", "一件事办理", "Transfers", frozenset({ADMIN, AUDITOR, DEPARTMENT})),
    Page("audit", "审计日志", "Audit log", frozenset({ADMIN, AUDITOR, DEPARTMENT})),
    Page("reconciliation", "对账报告", "Reconciliation", frozenset({ADMIN, AUDITOR, OPERATOR})),
    Page("jobs", "任务运行", "Jobs", frozenset({ADMIN, AUDITOR, OPERATOR})),
    Page("supervision", "案件列表", "Supervision cases", EVERYONE),
    Page("supervision_rules", "监督规则", "Supervision rules", EVERYONE),
)
PAGE = {page.key: page for page in PAGES}


def roles_of(key: str) -> tuple[ConsoleRole, ...]:
    """The roles page ``key`` allows, for ``@requires(*roles_of("members"))``."""
    return tuple(role for role in ConsoleRole if role in PAGE[key].roles)


@dataclass
class Routes:
    """A page module's views, added to the blueprint when the console is registered."""

    rules: list[tuple[str, str, Callable[..., Any], tuple[str, ...]]] = field(default_factory=list)

    def route(
        self, rule: str, endpoint: str | None = None, methods: tuple[str, ...] = ("GET",)
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def collect(view: Callable[..., Any]) -> Callable[..., Any]:
            self.rules.append((rule, endpoint or view.__name__, view, methods))
            return view

        return collect

    def get(self, rule: str, endpoint: str | None = None) -> Callable[..., Any]:
        return self.route(rule, endpoint, ("GET",))

    def post(self, rule: str, endpoint: str | None = None) -> Callable[..., Any]:
        return self.route(rule, endpoint, ("POST",))

    def install(self, blueprint: Blueprint) -> None:
        for rule, endpoint, view, methods in self.rules:
            view.accepted_media_types = FORM_TYPES  # type: ignore[attr-defined]
            blueprint.add_url_rule(rule, endpoint, view, methods=list(methods))
