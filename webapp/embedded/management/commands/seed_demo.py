"""``manage.py seed_demo``: the demo user, teachers for Animal-MNIST categories, an example graph."""

from django.core.management.base import BaseCommand, CommandError

from webapp.embedded.services import demo_seed

DEFAULT_CATEGORIES = ["cat", "cow", "dog", "horse", "sheep"]


class Command(BaseCommand):
    help = (
        "Register the committed demo teachers (classification and segmentation; others are trained) "
        "and an example graph; user demo/demo (a lab manager). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--categories",
            nargs="+",
            default=DEFAULT_CATEGORIES,
            help="categories to register or train teachers for (default: the five mammals)",
        )
        parser.add_argument(
            "--quick",
            action="store_true",
            help="one epoch on a small subset: fast, less accurate (for tests)",
        )
        parser.add_argument(
            "--epochs", type=int, default=None, help="training epochs per teacher (default 2; 1 with --quick)"
        )
        parser.add_argument(
            "--limit-train",
            type=int,
            default=None,
            help="training samples per task (default 1000; 256 with --quick)",
        )

    def handle(self, *args, categories, quick, epochs, limit_train, **options):
        try:
            result = demo_seed(
                categories=categories,
                quick=quick,
                epochs=epochs,
                limit_train=limit_train,
                log=lambda line: self.stdout.write(line),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"demo catalog ready: registered {result['registered'] or 'none'} (committed weights), "
                f"trained {result['trained'] or 'none'}, "
                f"already there {result['skipped'] or 'none'}, example graph #{result['graph']}"
            )
        )
