"""The console's page modules; each has a ``routes`` collector (see ``console.pages``)."""
