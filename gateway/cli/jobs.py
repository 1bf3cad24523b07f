"""``alliance jobs``: the scheduled jobs process (APScheduler) and its history."""

from __future__ import annotations

import json

import click

from gateway.bootstrap import Container, build_container
from gateway.bootstrap.jobs import alliance_jobs, job_runner
from gateway.cli.context import SettingsProblem, cli_settings
from gateway.jobs.history import JobHistory
from gateway.jobs.runner import JobSpec
from gateway.jobs.schedule import run_scheduler
from gateway.settings import SettingsError


def _jobs(container: Container) -> list[JobSpec]:
    try:
        return alliance_jobs(container)
    except SettingsError as exc:
        raise SettingsProblem(str(exc)) from exc


@click.group(name="jobs")
def jobs() -> None:
    """Anchoring, synchronisation, reconciliation, retention and retry of stuck transactions,
    each run once per tick across all processes."""


@jobs.command("run")
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the scheduler in the foreground (any number of these may run against one Redis)."""
    from gateway.logs import configure_logging

    settings = cli_settings(ctx)
    configure_logging(settings.log)
    container = build_container(settings)
    try:
        runner = job_runner(container)
        run_scheduler(runner, _jobs(container))
    except KeyboardInterrupt:
        pass
    finally:
        container.close()


@jobs.command("once")
@click.argument("job")
@click.pass_context
def once(ctx: click.Context, job: str) -> None:
    """Run one job now (under its lease), e.g. ``alliance jobs once anchoring``."""
    container = build_container(cli_settings(ctx))
    try:
        specs = {spec.name: spec for spec in _jobs(container)}
        if job not in specs:
            raise click.BadParameter(f"choose one of {', '.join(specs)}", param_hint="JOB")
        runner = job_runner(container)
        click.echo(json.dumps({"job": job, "outcome": runner.run_tick(specs[job])}))
    finally:
        container.close()


@jobs.command("history")
@click.option("--job", default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.pass_context
def history(ctx: click.Context, job: str | None, limit: int) -> None:
    """The latest job runs: tick, worker, fencing token, outcome and counts."""
    container = build_container(cli_settings(ctx))
    try:
        click.echo(
            json.dumps(JobHistory(container.engine).recent(job, limit), default=str, indent=2)
        )
    finally:
        container.close()
