from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "webapp.observability"
    label = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from webapp.observability.metrics import JobStatusCollector

        # Registered once per process (ready() may run again under some test runners).
        if not any(isinstance(c, JobStatusCollector) for c in
                   list(getattr(REGISTRY, "_collector_to_names", {}))):
            REGISTRY.register(JobStatusCollector())
