"""Reconciliation: SQL records, the evidence log and the chain, compared and reported."""
