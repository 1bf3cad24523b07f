"""``alliance reconciliation``: run a comparison now, list and read reports, export one."""

from __future__ import annotations

import click

from gateway.cli.context import command_container, echo_json


@click.group(name="reconciliation")
def reconciliation() -> None:
    """SQL access records vs the evidence log vs the chain, members and catalogue vs contracts."""


@reconciliation.command("run")
@click.option("--fail-on-mismatch", is_flag=True, help="Exit 3 when the report has findings.")
@click.pass_context
def run(ctx: click.Context, fail_on_mismatch: bool) -> None:
    """Compare everything now and print the report with its findings."""
    with command_container(ctx) as container:
        service = container.reconciliation
        report = service.report(service.run()["id"])
    echo_json(report)
    if fail_on_mismatch and report["outcome"] == "mismatch":
        ctx.exit(3)


@reconciliation.command("reports")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.pass_context
def reports(ctx: click.Context, limit: int) -> None:
    """The latest reports, newest first (without findings)."""
    with command_container(ctx) as container:
        echo_json(container.reconciliation.reports(limit=limit))


@reconciliation.command("show")
@click.argument("report_id", type=int)
@click.pass_context
def show(ctx: click.Context, report_id: int) -> None:
    """One report with every finding."""
    with command_container(ctx) as container:
        echo_json(container.reconciliation.report(report_id))


@reconciliation.command("export")
@click.argument("report_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.pass_context
def export(ctx: click.Context, report_id: int, out: str) -> None:
    """Write one report to an Excel workbook."""
    from gateway.reconciliation.workbook import write_report_workbook

    with command_container(ctx) as container:
        path = write_report_workbook(container.reconciliation.report(report_id), out)
    echo_json({"report": report_id, "path": str(path)})
