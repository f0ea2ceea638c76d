"""Database writes that outlive a dropped connection (a restarted PostgreSQL, a killed backend)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)
T = TypeVar("T")


def with_reconnect(write: Callable[[], T]) -> T:
    """Run ``write``; if the connection was lost, open a new one and run it once more.

    Only for calls outside a transaction (Django cannot reconnect inside one); ``write`` may
    open its own. A second failure propagates.
    """
    try:
        return write()
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        logger.warning("database connection lost; reconnecting", exc_info=True)
        connection.close()
        return write()
