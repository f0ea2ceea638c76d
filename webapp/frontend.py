"""The single-page front end: every non-API URL renders templates/app.html with the Vite build."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


def _vite_entry() -> dict[str, object] | None:
    """Return the ``index.html`` entry of the Vite manifest, or None if the build is missing."""
    manifest = settings.FRONTEND_DIST / ".vite" / "manifest.json"
    try:
        entry = json.loads(manifest.read_text())["index.html"]
    except (OSError, ValueError, KeyError):
        return None
    return entry if isinstance(entry, dict) and "file" in entry else None


@ensure_csrf_cookie
def app_page(request: HttpRequest, path: str = "") -> HttpResponse:
    """Render the app shell; the page explains how to build the front end when it is missing."""
    entry = _vite_entry()
    context = {
        "built": entry is not None,
        "script": f"app/{entry['file']}" if entry else None,
        "styles": [f"app/{css}" for css in entry.get("css", [])] if entry else [],
    }
    return render(request, "app.html", context, status=200)
