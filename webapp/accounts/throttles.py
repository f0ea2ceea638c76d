"""Sign-in guards: the CSRF check a login needs, and a lockout after repeated failed sign-ins.

Failures are counted per (username, client address) in the shared cache, so one guesser cannot
lock a user out from everywhere, and a lockout holds whichever web process answers.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from rest_framework import exceptions


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # a reason, not an HTML page
        return reason


def login_enforce_csrf(request: HttpRequest) -> None:
    """Refuse a login without the CSRF cookie and header (a login form on another site cannot
    sign a visitor into an attacker's account).

    Raises:
        PermissionDenied: naming the CSRF failure and what to do.
    """
    check = _CsrfCheck(lambda _: None)
    check.process_request(request)
    reason = check.process_view(request, None, (), {})
    if reason:
        raise exceptions.PermissionDenied(
            f"CSRF check failed: {reason}. Load the page again (GET /api/auth/me/ hands out the "
            "csrftoken cookie) and send it back in the X-CSRFToken header."
        )


def _failure_key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}\n{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def login_check_not_locked(*, username: str, address: str) -> None:
    """Raise Throttled (429, with the seconds to wait) while this username is locked for this address."""
    record = cache.get(_failure_key(username, address)) or {}
    wait = record.get("locked_until", 0) - time.time()
    if wait > 0:
        raise exceptions.Throttled(
            wait=wait,
            detail=(
                f"Too many failed sign-ins for {username[:100]!r} from your address. Try again in "
                f"{int(wait) + 1} seconds, or ask the lab's administrator to reset your password."
            ),
        )


def login_record_failure(*, username: str, address: str) -> None:
    """Count a failed sign-in; the allowed number of failures in a row starts a lockout."""
    key = _failure_key(username, address)
    lockout = settings.LOGIN_LOCKOUT_SECONDS
    record = cache.get(key) or {"failures": 0}
    record["failures"] += 1
    if record["failures"] >= settings.LOGIN_FAILURES_ALLOWED:
        record = {"failures": 0, "locked_until": time.time() + lockout}
    cache.set(key, record, timeout=lockout)


def login_record_success(*, username: str, address: str) -> None:
    """Forget the failures once the right password was given."""
    cache.delete(_failure_key(username, address))
