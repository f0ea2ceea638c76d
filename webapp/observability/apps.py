from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "webapp.observability"
    label = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        from webapp.observability.metrics import register_job_metrics

        register_job_metrics()
