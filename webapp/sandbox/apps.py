from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "webapp.sandbox"
    label = "sandbox"
