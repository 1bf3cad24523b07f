"""The HTTP edge: request id, body checks, problem+json errors, health and API docs."""
