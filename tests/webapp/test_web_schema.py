"""The OpenAPI schema is valid and lists every API endpoint; errors have one shape."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _api_paths(patterns, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths |= _api_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            paths.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return paths


def test_the_schema_is_valid_openapi_3_and_lists_every_endpoint(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    expected = _api_paths(get_resolver().url_patterns) - {"/api/schema/", "/api/docs/"}
    assert expected - set(schema["paths"]) == set()
    assert len(expected) >= 25


def test_errors_have_one_shape_and_login_works():
    anonymous = APIClient()
    response = anonymous.get("/api/graphs/")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "details"}
    response = anonymous.post("/api/auth/login/", {"username": "nobody", "password": "x"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_credentials"
    response = anonymous.post("/api/auth/login/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"username", "password"}


def test_login_me_and_logout_with_a_session(user, manager):
    session = APIClient(enforce_csrf_checks=True)
    session.get("/api/auth/me/")  # the login is CSRF-checked too: this hands out the cookie
    response = session.post(
        "/api/auth/login/",
        {"username": "boss", "password": "boss-password"},
        format="json",
        HTTP_X_CSRFTOKEN=session.cookies["csrftoken"].value,
    )
    assert response.status_code == 200
    assert response.json()["user"] == {
        "id": manager.id,
        "username": "boss",
        "is_lab_manager": True,
        "sandbox": None,
    }
    assert session.get("/api/auth/me/").json()["user"]["username"] == "boss"
    # Session writes need the CSRF token.
    assert session.post("/api/graphs/", {"name": "g"}, format="json").status_code == 403
    token = session.cookies["csrftoken"].value
    assert (
        session.post("/api/graphs/", {"name": "g"}, format="json", HTTP_X_CSRFTOKEN=token).status_code == 201
    )
    assert session.post("/api/auth/logout/", HTTP_X_CSRFTOKEN=token).status_code == 204
    assert session.get("/api/auth/me/").status_code == 401


def test_token_authentication(user):
    from webapp.accounts.services import api_token_create

    _, token = api_token_create(user=user, name="schema tests")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/auth/me/").json()["user"]["username"] == "alice"
