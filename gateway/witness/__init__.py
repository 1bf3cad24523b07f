"""Witnesses: member departments that co-sign evidence checkpoints after checking consistency."""
