"""Register a data folder that stays on the server (e.g. Pascal VOC) as a public dataset."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from webapp.datasets.models import DatasetTask
from webapp.datasets.services import dataset_register_folder
from webapp.errors import ApplicationError


class Command(BaseCommand):
    help = "Scan a server-side data folder (class folders, or images/ with masks/) and add it to the catalog."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--task", choices=DatasetTask.values, required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner", required=True, help="username of an existing user who owns the row")
        parser.add_argument("--license", default="")
        parser.add_argument("--description", default="")

    def handle(
        self, *args, folder: Path, task: str, name: str, owner: str, license: str, description: str, **options
    ):
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"No user {owner!r}; create one first (createsuperuser) or name another.")
        try:
            dataset = dataset_register_folder(
                owner=user, folder=folder, task=task, name=name, license=license, description=description
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"dataset #{dataset.id} {dataset.name!r}: {dataset.counts}")
