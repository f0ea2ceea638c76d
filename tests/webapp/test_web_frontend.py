"""The front end's page: the Vite build when present, build instructions when not."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def test_without_a_build_the_page_says_how_to_build_it(client, settings, tmp_path):
    settings.FRONTEND_DIST = tmp_path / "missing"
    response = client.get("/graphs/3")
    assert response.status_code == 200
    assert b"npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build" in response.content


def test_with_a_build_the_page_loads_the_vite_entry(client, settings, tmp_path):
    (tmp_path / ".vite").mkdir()
    (tmp_path / ".vite" / "manifest.json").write_text(
        json.dumps(
            {
                "index.html": {
                    "file": "assets/index-abc123.js",
                    "css": ["assets/index-def456.css"],
                    "isEntry": True,
                }
            }
        )
    )
    settings.FRONTEND_DIST = tmp_path
    body = client.get("/").content.decode()
    assert '<script type="module" src="/static/app/assets/index-abc123.js">' in body
    assert 'href="/static/app/assets/index-def456.css"' in body
    assert "csrftoken" in client.cookies


def test_api_urls_are_not_swallowed_by_the_page(client):
    response = client.get("/api/nothing-here/")
    assert response.status_code == 404
