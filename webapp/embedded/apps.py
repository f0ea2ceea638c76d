from django.apps import AppConfig


class EmbeddedConfig(AppConfig):
    name = "webapp.embedded"
    label = "embedded"
