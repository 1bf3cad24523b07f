"""Audit: searching, exporting and verifying the access log."""
