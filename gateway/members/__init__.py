"""Member departments of the alliance: lifecycle, credentials, registry index."""
