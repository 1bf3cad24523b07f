"""Adapters to infrastructure the gateway shares across replicas (Redis)."""
