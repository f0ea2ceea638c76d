"""Serializers for jobs and their points."""
from rest_framework import serializers

from webapp.jobs.compare import MAX_SEEDS
from webapp.jobs.models import Compare, Job, JobPoint, JobStatus


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
        fields = ["id", "edge", "graph", "status", "attempt", "settings", "reused", "error",
                  "created", "started", "finished", "last_step", "total_steps", "final_metrics",
                  "adapter", "compare"]


class JobPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobPoint
        fields = ["step", "losses", "metrics"]


class JobQuerySerializer(serializers.Serializer):
    graph = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)
    ids = serializers.RegexField(r"^\d+(,\d+)*$", required=False, help_text=(
        "Comma-separated job ids, e.g. 3,4,5 (the compare view of chosen runs)."), error_messages={
        "invalid": "ids must be job ids separated by commas, e.g. 3,4,5."})


class PointsQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(required=False)


class InsightSerializer(serializers.Serializer):
    teacher = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    student = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    cosine = serializers.FloatField()
    pca = serializers.DictField(child=serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField())))


class SkippedMethodSerializer(serializers.Serializer):
    method = serializers.CharField()
    reason = serializers.CharField()


class CompareSerializer(serializers.ModelSerializer):
    methods = serializers.ListField(child=serializers.CharField())
    seeds = serializers.ListField(child=serializers.IntegerField())
    skipped = SkippedMethodSerializer(many=True)
    jobs = JobSerializer(many=True)

    class Meta:
        model = Compare
        fields = ["id", "graph", "edge", "methods", "seeds", "samples", "steps", "skipped", "created",
                  "jobs"]


class CompareCreateSerializer(serializers.Serializer):
    edge = serializers.IntegerField(help_text="The edge whose pair is raced.")
    methods = serializers.ListField(child=serializers.CharField(), required=False, allow_empty=False,
                                    help_text="Methods to race; every method but plain distill "
                                              "when left out.")
    seeds = serializers.IntegerField(default=1, min_value=1, max_value=MAX_SEEDS,
                                     help_text="How many seeds, counted up from the edge's seed.")
    samples = serializers.IntegerField(required=False, min_value=0,
                                       help_text="Labelled samples; the edge's when left out.")
    steps = serializers.IntegerField(required=False, min_value=1,
                                     help_text="Training steps; the edge's when left out.")


class CompareQuerySerializer(serializers.Serializer):
    graph = serializers.IntegerField(required=False)
