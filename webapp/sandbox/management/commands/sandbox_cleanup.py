"""``manage.py sandbox_cleanup``: remove demo sandboxes idle for longer than the stated limit."""

from django.conf import settings
from django.core.management.base import BaseCommand

from webapp.sandbox.services import sandbox_cleanup


class Command(BaseCommand):
    help = (
        f"Delete demo sandboxes (accounts, graphs, jobs, adapters) idle for more than "
        f"SANDBOX_IDLE_MINUTES (now {settings.SANDBOX_IDLE_MINUTES}). Each sandbox also removes "
        "itself through a delayed worker message; run this from cron as a backstop."
    )

    def handle(self, *args, **options):
        removed = sandbox_cleanup()
        self.stdout.write(self.style.SUCCESS(f"removed {removed} idle sandbox(es)"))
