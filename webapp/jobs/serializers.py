"""Serializers for jobs and their points."""
from rest_framework import serializers

from webapp.jobs.edge_settings import EDGE_SETTINGS
from webapp.jobs.models import Job, JobPoint, JobStatus


def _integer_field(name: str) -> serializers.IntegerField:
    setting = EDGE_SETTINGS[name]
    return serializers.IntegerField(default=setting.default, min_value=setting.minimum,
                                    max_value=setting.maximum, help_text=setting.help)


class JobSettingsSerializer(serializers.Serializer):
    """An edge's settings; ranges and choices from ``webapp.jobs.edge_settings``."""

    method = serializers.ChoiceField(choices=list(EDGE_SETTINGS["method"].choices),
                                     default=EDGE_SETTINGS["method"].default,
                                     help_text=EDGE_SETTINGS["method"].help)
    samples = _integer_field("samples")
    adapter_layers = _integer_field("adapter_layers")
    steps = _integer_field("steps")
    seed = _integer_field("seed")


class SettingFieldSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["integer", "choice"])
    default = serializers.JSONField()
    minimum = serializers.IntegerField(required=False)
    maximum = serializers.IntegerField(required=False)
    choices = serializers.ListField(child=serializers.JSONField(), required=False)
    help = serializers.CharField()


class EdgeSettingsSpecSerializer(serializers.Serializer):
    """Every edge setting's type, default and limits, and the samples an edge across nets starts with."""

    fields = serializers.DictField(child=SettingFieldSerializer())
    cross_net_samples = serializers.IntegerField()


class EdgeSettingsPreviewQuerySerializer(serializers.Serializer):
    category = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                        help_text="Module id of the category module.")
    task = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                    help_text="Module id of the task module.")


class EdgeSettingsPreviewSerializer(serializers.Serializer):
    """What an edge between two modules would start with."""

    own_net = serializers.BooleanField(help_text="Whether the task module is the category "
                                       "module's own teacher's (the edge stays inside one net).")
    defaults = JobSettingsSerializer()


class JobSerializer(serializers.ModelSerializer):
    settings = JobSettingsSerializer()

    class Meta:
        model = Job
        fields = ["id", "edge", "graph", "status", "attempt", "settings", "reused", "error",
                  "created", "started", "finished", "last_step", "total_steps", "final_metrics",
                  "adapter"]


class JobPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobPoint
        fields = ["step", "losses", "metrics"]


class JobQuerySerializer(serializers.Serializer):
    graph = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)


class PointsQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(required=False)


class InsightSerializer(serializers.Serializer):
    teacher = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    student = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    cosine = serializers.FloatField()
    pca = serializers.DictField(child=serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField())))
