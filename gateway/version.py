"""The gateway's release version (PEP 440), one place for packaging, the API and the CLI."""

__version__ = "0.1.0"
