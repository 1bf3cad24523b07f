"""Multi-level alliances (国家-省-市-区县): a gateway's parent and children (docs/federation.md)."""
