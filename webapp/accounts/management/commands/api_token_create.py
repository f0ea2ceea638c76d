"""``manage.py api_token_create USER --name NAME``: make an API token for scripts and print it once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from webapp.accounts.services import api_token_create
from webapp.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a named API token for a user and print it (only its SHA-256 is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 'nightly sweep'")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}; create it first (manage.py createsuperuser)")
        try:
            _, token = api_token_create(user=user, name=name)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(token)
