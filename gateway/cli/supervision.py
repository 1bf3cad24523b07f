"""``alliance supervision``: cases, their steps (signed by the acting member), rules, runs,
verification and the signed Excel export."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import click

from gateway.cli.context import command_container, echo_json


def _case_json(case: Any) -> dict[str, Any]:
    data = dataclasses.asdict(case)
    data["status"] = case.status.value
    data["transitions"] = [
        {
            **dataclasses.asdict(step),
            "from_status": step.from_status.value if step.from_status else None,
            "to_status": step.to_status.value,
        }
        for step in case.transitions
    ]
    return data


@click.group(name="supervision")
def supervision() -> None:
    """Supervision cases (链上监管): 监督 → 下达 → 整改 → 反馈, on the Supervision contract."""


@supervision.command("list")
@click.option("--status", default=None, help="open, ordered, rectifying, reported, …")
@click.option("--department", default=None, help="member code")
@click.option("--rule", "rule_id", default=None)
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.pass_context
def list_cases(
    ctx: click.Context, status: str | None, department: str | None, rule_id: str | None, limit: int
) -> None:
    """Cases, newest first."""
    from gateway.supervision.store import CaseQuery

    with command_container(ctx) as container:
        found = container.supervision.find(CaseQuery(status, department, rule_id, limit))
        echo_json([_case_json(case) for case in found])


@supervision.command("open")
@click.option("--department", required=True, help="The responsible department (member code).")
@click.option("--title", required=True)
@click.option("--note", default="")
@click.pass_context
def open_case(ctx: click.Context, department: str, title: str, note: str) -> None:
    """The office opens a case by hand (signed on chain by the office member)."""
    with command_container(ctx) as container:
        echo_json(_case_json(container.supervision.open_by_hand(department, title, note, {})))


@supervision.command("show")
@click.argument("case_id")
@click.option("--verify", is_flag=True, help="Also check the case against the chain.")
@click.pass_context
def show(ctx: click.Context, case_id: str, verify: bool) -> None:
    """One case with its timeline (tx hash and block of every transition)."""
    with command_container(ctx) as container:
        case = container.supervision.get(case_id)
        body = _case_json(case)
        if verify:
            body["verification"] = dataclasses.asdict(container.verify_supervision_case(case))
        echo_json(body)
        if verify and not body["verification"]["ok"]:
            ctx.exit(3)


def _step(ctx: click.Context, case_id: str, action: str, member: str, note: str, due: Any) -> None:
    with command_container(ctx) as container:
        case = container.supervision.act(case_id, action, member, note, due)
        echo_json(_case_json(case))


@supervision.command("order")
@click.argument("case_id")
@click.option("--note", default="", help="The rectification order (下达) text.")
@click.option("--due", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None)
@click.option("--as", "member", default=None, help="Acting member (default: the office).")
@click.pass_context
def order(
    ctx: click.Context, case_id: str, note: str, due: datetime | None, member: str | None
) -> None:
    """The office orders rectification, due at --due (UTC; default supervision.default_due_days)."""
    from datetime import UTC

    with command_container(ctx) as container:
        office = member or container.settings.supervision.office
    _step(ctx, case_id, "order", office, note, due.replace(tzinfo=UTC) if due else None)


def _department_step(name: str, help_text: str) -> None:
    @supervision.command(name, help=help_text)
    @click.argument("case_id")
    @click.option("--as", "member", required=True, help="The case's department (member code).")
    @click.option("--note", default="")
    @click.pass_context
    def command(ctx: click.Context, case_id: str, member: str, note: str) -> None:
        _step(ctx, case_id, name, member, note, None)


def _office_step(name: str, help_text: str) -> None:
    @supervision.command(name, help=help_text)
    @click.argument("case_id")
    @click.option("--as", "member", default=None, help="Acting member (default: the office).")
    @click.option("--note", default="")
    @click.pass_context
    def command(ctx: click.Context, case_id: str, member: str | None, note: str) -> None:
        with command_container(ctx) as container:
            office = member or container.settings.supervision.office
        _step(ctx, case_id, name, office, note, None)


_department_step("rectify", "The department starts rectifying (整改).")
_department_step("report", "The department reports back (反馈).")
_office_step("accept", "The office accepts the report.")
_office_step("reopen", "The office sends the report back (the case is reopened).")


@supervision.command("rules")
@click.pass_context
def rules(ctx: click.Context) -> None:
    """The supervision rules and whether each runs."""
    from gateway.supervision.rules import RULES

    with command_container(ctx) as container:
        disabled = container.settings.supervision.disabled_rules
    echo_json([{**vars(rule), "enabled": rule.rule_id not in disabled} for rule in RULES])


@supervision.command("run")
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the rules and the overdue check now (what the supervision job does)."""
    with command_container(ctx) as container:
        echo_json(dataclasses.asdict(container.supervision.run()))


@supervision.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--status", default=None)
@click.option("--department", default=None)
@click.pass_context
def export(ctx: click.Context, out: str, status: str | None, department: str | None) -> None:
    """Cases and transitions to a self-verifying Excel workbook (signed manifest)."""
    from pathlib import Path

    from gateway.supervision.store import CaseQuery

    with command_container(ctx) as container:
        data = container.export_supervision_cases(CaseQuery(status, department, None, 500))
    Path(out).write_bytes(data)
    echo_json({"path": out, "bytes": len(data)})


@supervision.command("verify-export")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def verify_export(ctx: click.Context, path: str) -> None:
    """Check an exported workbook's rows and signature with the gateway's public key."""
    from pathlib import Path

    from gateway.supervision.export import verify_cases_workbook

    with command_container(ctx) as container:
        report = verify_cases_workbook(Path(path).read_bytes(), container.gateway_key().public_key)
    echo_json(report.to_json())
    if not report.ok:
        ctx.exit(3)
