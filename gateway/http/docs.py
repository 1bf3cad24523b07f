"""Serves the Swagger UI assets from the installed ``swagger-ui-bundle`` package.

The API docs page must work on a government intranet with no internet, so no asset comes
from a CDN: flask-smorest renders the page, this blueprint serves the files it references.
"""

from __future__ import annotations

from flask import Blueprint, send_from_directory
from flask.typing import ResponseReturnValue
from swagger_ui_bundle import swagger_ui_path

ASSETS_URL = "/api/docs/assets/"

blp = Blueprint("api_docs_assets", __name__)


@blp.get(f"{ASSETS_URL}<path:filename>")
def swagger_asset(filename: str) -> ResponseReturnValue:
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
