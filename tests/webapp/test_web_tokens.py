"""API tokens: made once and shown once, stored as SHA-256 only, usable as Token or Bearer, revocable."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from webapp.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _create(client, name="nightly sweep"):
    response = client.post("/api/auth/tokens/", {"name": name}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_new_token_is_shown_once_and_only_its_sha256_is_stored(client):
    created = _create(client)
    raw = created["token"]
    assert raw.startswith("tst_") and len(raw) > 40 and created["prefix"] == raw[:8]
    row = ApiToken.objects.get(pk=created["id"])
    assert row.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.name, row.prefix, row.digest}
    listed = client.get("/api/auth/tokens/").json()
    assert [(t["id"], t["name"], t["prefix"]) for t in listed] == [(created["id"], "nightly sweep", raw[:8])]
    assert all("token" not in t for t in listed)


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_a_script_is_signed_in_by_its_token(client, scheme):
    raw = _create(client)["token"]
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"{scheme} {raw}")
    assert script.get("/api/auth/me/").json()["user"]["username"] == "alice"
    # A token request is not a browser session: writes need no CSRF token.
    assert script.post("/api/graphs/", {"name": "from a script"}, format="json").status_code == 201
    assert ApiToken.objects.get(digest=hashlib.sha256(raw.encode()).hexdigest()).last_used


def test_a_revoked_token_is_refused_with_a_message_that_says_what_to_do(client):
    created = _create(client)
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {created['token']}")
    assert script.get("/api/auth/me/").status_code == 200
    assert client.delete(f"/api/auth/tokens/{created['id']}/").status_code == 204
    response = script.get("/api/auth/me/")
    assert response.status_code == 401
    assert "Settings -> API tokens" in response.json()["error"]["message"]
    assert client.get("/api/auth/tokens/").json() == []


def test_a_wrong_or_malformed_token_is_refused(db):
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION="Token tst_not-a-real-token")
    assert script.get("/api/auth/me/").status_code == 401
    script.credentials(HTTP_AUTHORIZATION="Token two words")
    response = script.get("/api/auth/me/")
    assert response.status_code == 401 and "Malformed" in response.json()["error"]["message"]


def test_nobody_lists_or_revokes_another_users_tokens(client, other_client):
    created = _create(client)
    assert other_client.get("/api/auth/tokens/").json() == []
    response = other_client.delete(f"/api/auth/tokens/{created['id']}/")
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=created["id"]).exists()


def test_a_token_needs_a_name_and_tokens_need_a_signed_in_user(client):
    response = client.post("/api/auth/tokens/", {"name": "  "}, format="json")
    assert response.status_code == 400 and "name" in response.json()["error"]["details"]
    assert APIClient().get("/api/auth/tokens/").status_code == 401
    assert APIClient().post("/api/auth/tokens/", {"name": "x"}, format="json").status_code == 401
