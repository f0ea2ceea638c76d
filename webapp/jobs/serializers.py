"""Serializers for jobs and their points."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

import engine
from webapp.jobs.compare import MAX_SEEDS
from webapp.jobs.edge_settings import EDGE_SETTINGS, ChoiceSetting, IntegerSetting
from webapp.jobs.models import Compare, Job, JobKind, JobPoint, JobStatus
from webapp.jobs.selectors import job_evaluated
from webapp.schema import MetricsField


def _integer_field(name: str) -> serializers.Field:
    setting = EDGE_SETTINGS[name]
    if setting.choices:  # the schema then lists the values (adapter_layers: 1 or 3)
        return serializers.ChoiceField(
            choices=list(setting.choices), default=setting.default, help_text=setting.help
        )
    return serializers.IntegerField(
        default=setting.default, min_value=setting.minimum, max_value=setting.maximum, help_text=setting.help
    )


class JobSettingsSerializer(serializers.Serializer):
    """An edge's settings; ranges and choices from ``webapp.jobs.edge_settings``."""

    method = serializers.ChoiceField(
        choices=list(EDGE_SETTINGS["method"].choices),
        default=EDGE_SETTINGS["method"].default,
        help_text=EDGE_SETTINGS["method"].help,
    )
    samples = _integer_field("samples")
    adapter_layers = _integer_field("adapter_layers")
    steps = _integer_field("steps")
    seed = _integer_field("seed")
    dataset = serializers.IntegerField(
        required=False,  # left out when the edge has none
        help_text="the dataset of the labelled samples and test split",
    )


class TeacherSettingsSerializer(serializers.Serializer):
    """A teacher job's settings (input of POST /api/jobs/ with kind=teacher, and its output)."""

    dataset = serializers.IntegerField(help_text="the dataset whose images the teacher learns")
    category = serializers.CharField(max_length=64, help_text="the class folder of the positives")
    architecture = serializers.CharField(default="vgg-mini")
    tasks = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="default: the dataset's task"
    )
    epochs = serializers.IntegerField(default=10, min_value=1, max_value=200)
    seed = serializers.IntegerField(default=0, min_value=0)
    name = serializers.CharField(max_length=200, required=False)


class TeacherJobCreateSerializer(TeacherSettingsSerializer):
    kind = serializers.ChoiceField(choices=[JobKind.TEACHER])


class IntegerSettingSerializer(serializers.Serializer):
    """A whole-number setting (``IntegerSetting.describe``); ``choices``, when given, are the only values."""

    type = serializers.ChoiceField(choices=["integer"])
    default = serializers.IntegerField()
    minimum = serializers.IntegerField()
    maximum = serializers.IntegerField()
    choices = serializers.ListField(child=serializers.IntegerField(), required=False)
    help = serializers.CharField()


class ChoiceSettingSerializer(serializers.Serializer):
    """A setting that is one of a few strings (``ChoiceSetting.describe``)."""

    type = serializers.ChoiceField(choices=["choice"])
    default = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    help = serializers.CharField()


_SETTING_SERIALIZERS = {IntegerSetting: IntegerSettingSerializer, ChoiceSetting: ChoiceSettingSerializer}


class EdgeSettingFieldsSerializer(serializers.Serializer):
    """One entry per edge setting, named and typed as in ``EDGE_SETTINGS``."""

    def get_fields(self):
        return {name: _SETTING_SERIALIZERS[type(setting)]() for name, setting in EDGE_SETTINGS.items()}


class EdgeSettingsSpecSerializer(serializers.Serializer):
    """Every edge setting's type, default and limits, and the samples, adapter layers and steps an edge
    across nets starts with."""

    fields = EdgeSettingFieldsSerializer()
    cross_net_samples = serializers.IntegerField()
    cross_net_adapter_layers = serializers.ChoiceField(choices=list(EDGE_SETTINGS["adapter_layers"].choices))
    cross_net_steps = serializers.IntegerField()


class EdgeSettingsPreviewQuerySerializer(serializers.Serializer):
    category = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="Module id of the category module."
    )
    task = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="Module id of the task module."
    )
    samples = serializers.IntegerField(
        required=False,
        min_value=EDGE_SETTINGS["samples"].minimum,
        max_value=EDGE_SETTINGS["samples"].maximum,
        help_text="Labelled samples for auto's choice (default: the edge's).",
    )
    adapter_layers = serializers.ChoiceField(
        required=False,
        choices=list(EDGE_SETTINGS["adapter_layers"].choices),
        help_text="Adapter layers for auto's choice (default: the edge's).",
    )
    dataset = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Dataset id the edge would use (default: the built-in data for its category).",
    )


class EdgeSettingsPreviewSerializer(serializers.Serializer):
    """What an edge between two modules would start with."""

    own_net = serializers.BooleanField(
        help_text="Whether the task module is the category "
        "module's own teacher's (the edge stays inside one net)."
    )
    defaults = JobSettingsSerializer()
    auto_choice = serializers.CharField(
        help_text="What method auto picks for this edge and why, in one sentence."
    )


class JobOutcomeSerializer(serializers.Serializer):
    """How a finished graft learned, from its adapter's manifest: the concrete method (what auto chose,
    and why), where it started, and why it stopped."""

    method = serializers.CharField()
    start = serializers.CharField(required=False)
    stopped = serializers.ChoiceField(
        choices=[
            engine.StopReason.EXACT,
            engine.StopReason.CONVERGED,
            engine.StopReason.STEPS,
            engine.StopReason.TIME_CAP,
        ],
        required=False,
    )
    steps_run = serializers.IntegerField(required=False)
    choice = serializers.CharField(required=False, help_text="auto's reason, one sentence")


class JobSerializer(serializers.ModelSerializer):
    settings = JobSettingsSerializer()
    final_metrics = MetricsField()
    outcome = serializers.SerializerMethodField()
    evaluated = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.BooleanField(
            allow_null=True,
            help_text="null until the job succeeds; false when there was no test set to measure it on "
            "(final_metrics is empty: the editor says 'not evaluated')",
        )
    )
    def get_evaluated(self, job: Job) -> bool | None:
        return job_evaluated(job=job)

    @extend_schema_field(JobOutcomeSerializer(allow_null=True))
    def get_outcome(self, job: Job) -> dict | None:
        config = (job.adapter.manifest or {}).get("config", {}) if job.adapter_id else {}
        if "method" not in config:
            return None
        outcome = {key: config[key] for key in ("method", "start", "stopped", "steps_run") if key in config}
        return {**outcome, **({"choice": config["auto"]} if config.get("auto") else {})}

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "edge",
            "graph",
            "status",
            "attempt",
            "run_attempt",
            "heartbeat",
            "settings",
            "reused",
            "error",
            "created",
            "started",
            "finished",
            "last_step",
            "total_steps",
            "final_metrics",
            "evaluated",
            "adapter",
            "dataset",
            "made_modules",
            "compare",
            "outcome",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.kind == JobKind.TEACHER:  # a teacher's settings are of another shape
            data["settings"] = TeacherSettingsSerializer(instance.settings).data
        return data


class JobPointSerializer(serializers.ModelSerializer):
    losses = MetricsField()
    metrics = MetricsField(allow_null=True, help_text="null at a step without an evaluation")

    class Meta:
        model = JobPoint
        fields = ["step", "losses", "metrics"]


class JobQuerySerializer(serializers.Serializer):
    graph = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)
    ids = serializers.RegexField(
        r"^\d+(,\d+)*$",
        required=False,
        help_text=("Comma-separated job ids, e.g. 3,4,5 (the compare view of chosen runs)."),
        error_messages={"invalid": "ids must be job ids separated by commas, e.g. 3,4,5."},
    )


class PointsQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(required=False)


class InsightSerializer(serializers.Serializer):
    teacher = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    student = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    cosine = serializers.FloatField()
    pca = serializers.DictField(
        child=serializers.ListField(
            child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
        ),
        help_text="Per method: its test images' top features on the first two principal axes [x, y].",
    )


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
        fields = ["id", "graph", "edge", "methods", "seeds", "samples", "steps", "skipped", "created", "jobs"]


class CompareCreateSerializer(serializers.Serializer):
    edge = serializers.IntegerField(help_text="The edge whose pair is raced.")
    methods = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        allow_empty=False,
        help_text="Methods to race; every method but plain distill when left out.",
    )
    seeds = serializers.IntegerField(
        default=1,
        min_value=1,
        max_value=MAX_SEEDS,
        help_text="How many seeds, counted up from the edge's seed.",
    )
    samples = serializers.IntegerField(
        required=False, min_value=0, help_text="Labelled samples; the edge's when left out."
    )
    steps = serializers.IntegerField(
        required=False, min_value=1, help_text="Training steps; the edge's when left out."
    )


class CompareQuerySerializer(serializers.Serializer):
    graph = serializers.IntegerField(required=False)
