"""The OpenAPI document is valid and its docs page needs nothing from outside the gateway."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlparse

from flask.testing import FlaskClient
from openapi_spec_validator import validate


def test_openapi_document_is_valid_openapi_3(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/tools/digest" in spec["paths"]


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_docs_page_loads_only_local_assets(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    parser = _References()
    parser.feed(html)
    assert len(parser.urls) >= 3
    for url in parser.urls:
        parsed = urlparse(url)
        assert not parsed.scheme and not parsed.netloc, f"{url} would leave the gateway"
        with client.get(url) as asset:
            assert asset.status_code == 200, url
            assert len(asset.data) > 1000
    assert '"validatorUrl": null' in html
    assert "//" not in "".join(u for u in parser.urls)
