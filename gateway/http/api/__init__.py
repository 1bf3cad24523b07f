"""gateway.http.api."""
