"""Schemathesis fuzzes every operation in /api/schema/ as a signed-in user (token), the ones that
start training included, on the real database, and no request may end in a server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from webapp.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 6  # bounded: a few minutes for every operation on two cores


@pytest.fixture
def connection_kept_across_requests():
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction; Django's own test client keeps it open the same way."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def test_fuzzing_every_operation_finds_no_server_error(user, catalog, connection_kept_across_requests):
    _, token = api_token_create(user=user, name="schemathesis")
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    failures: list[str] = []
    statuses: list[int] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case) -> None:
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                )

        call()
    assert operations >= 20  # the whole API, not an empty schema
    assert len(statuses) >= operations and any(200 <= code < 300 for code in statuses)
    print(f"{operations} operations, {len(statuses)} requests, statuses {sorted(set(statuses))}")
    assert failures == [], "\n".join(failures[:10])
