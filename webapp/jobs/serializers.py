"""Serializers for jobs and their points."""
from rest_framework import serializers

from webapp.jobs.models import Job, JobPoint, JobStatus


class JobSettingsSerializer(serializers.Serializer):
    method = serializers.CharField(default="back-distill")
    samples = serializers.IntegerField(default=0, min_value=0)
    adapter_layers = serializers.IntegerField(default=1, min_value=1)
    steps = serializers.IntegerField(default=300, min_value=1)
    seed = serializers.IntegerField(default=0)


class JobSerializer(serializers.ModelSerializer):
    settings = JobSettingsSerializer()

    class Meta:
        model = Job
        fields = ["id", "edge", "graph", "status", "attempt", "run_attempt", "heartbeat", "settings",
                  "reused", "error",
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
