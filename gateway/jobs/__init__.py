"""Scheduled jobs: anchoring, synchronisation from chain events; one run per tick cluster-wide."""
