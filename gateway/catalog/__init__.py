"""The shared data catalogue: entries, versions, access applications and grants."""
