from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway import create_app
from gateway.instance import initialise
from gateway.settings import Settings


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    initialise(app.extensions["alliance"], with_chain=False)
    yield app
    app.extensions["alliance"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
