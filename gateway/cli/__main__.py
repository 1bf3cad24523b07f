"""``python -m gateway.cli`` runs the ``alliance`` command."""

from gateway.cli.main import main

main()
