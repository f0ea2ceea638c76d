"""Dramatiq actors: each sandbox carries a delayed message that removes it once it is idle."""

import dramatiq

from webapp.sandbox import services


@dramatiq.actor(max_retries=3)
def sandbox_expire(sandbox_id: int) -> None:
    """Remove sandbox ``sandbox_id`` if idle too long, or check again later (it reschedules)."""
    services.sandbox_expire_or_reschedule(sandbox_id=sandbox_id)
