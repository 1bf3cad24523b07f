"""SQL storage: engine construction, the table metadata, and Alembic migrations."""
