"""Serializers for catalog modules (output) and their query/upload/update inputs."""

from rest_framework import serializers

from webapp.catalog.models import Module, ModuleKind, Visibility
from webapp.catalog.selectors import ORDERINGS
from webapp.jobs.models import JobStatus
from webapp.schema import MetricsField, NamesField, ShapeField


class ParentSerializer(serializers.Serializer):
    role = serializers.CharField()
    module_id = serializers.IntegerField(source="parent_id", allow_null=True)
    sha256 = serializers.CharField()
    name = serializers.CharField()


class NotApplicableAsNullField(serializers.CharField):
    """A text column stored empty for "not applicable" (a task module's category), rendered null."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class ModuleLiteSerializer(serializers.ModelSerializer):
    category = NotApplicableAsNullField()
    task = NotApplicableAsNullField()
    input_shape = ShapeField()
    output_shape = ShapeField()
    metrics = MetricsField()
    # The teacher key: a category module and a task module with the same one come from one net;
    # null for adapters and modules uploaded on their own.
    teacher = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = Module
        fields = [
            "id",
            "kind",
            "name",
            "category",
            "task",
            "architecture",
            "input_shape",
            "output_shape",
            "metrics",
            "teacher",
        ]


class ModuleSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    category = NotApplicableAsNullField()
    task = NotApplicableAsNullField()
    parents = ParentSerializer(source="parent_links", many=True)
    categories = NamesField()
    input_shape = ShapeField()
    output_shape = ShapeField()
    metrics = MetricsField()
    teacher = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = Module
        fields = [
            "id",
            "kind",
            "name",
            "category",
            "task",
            "categories",
            "architecture",
            "input_shape",
            "output_shape",
            "metrics",
            "teacher",
            "license",
            "description",
            "owner",
            "visibility",
            "created",
            "sha256",
            "parents",
            "size_bytes",
        ]


class ModuleQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ModuleKind.choices, required=False)
    category = serializers.CharField(required=False)
    task = serializers.CharField(required=False)
    architecture = serializers.CharField(required=False)
    owner = serializers.CharField(required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    search = serializers.CharField(required=False)
    metric = serializers.CharField(required=False)
    metric_min = serializers.FloatField(required=False)
    metric_max = serializers.FloatField(required=False)
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False)


class ModuleUploadSerializer(serializers.Serializer):
    weights = serializers.FileField(help_text="weights.safetensors")
    manifest = serializers.FileField(help_text="manifest.json")
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)


class ModuleUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    license = serializers.CharField(max_length=100, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class LineageEdgeSerializer(serializers.Serializer):
    """An edge of the lineage graph, from a parent module to a module made from it (``role``: how)."""

    role = serializers.CharField()

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be a class attribute.
        return {"from": serializers.IntegerField(), "to": serializers.IntegerField(), **super().get_fields()}


class LineageSerializer(serializers.Serializer):
    nodes = ModuleLiteSerializer(many=True)
    edges = LineageEdgeSerializer(many=True)


class FacetsSerializer(serializers.Serializer):
    kind = serializers.DictField(child=serializers.IntegerField())
    category = serializers.DictField(child=serializers.IntegerField())
    task = serializers.DictField(child=serializers.IntegerField())
    architecture = serializers.DictField(child=serializers.IntegerField())


class UsageGraphSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    updated = serializers.DateTimeField()


class UsageJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    graph_id = serializers.IntegerField(allow_null=True)
    edge_id = serializers.IntegerField(allow_null=True)
    created = serializers.DateTimeField()
    final_metrics = serializers.DictField(child=serializers.FloatField())
    method = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField(help_text="What the module was in this job.")

    def get_method(self, job) -> str | None:
        return (job.settings or {}).get("method")

    def get_role(self, job) -> str:
        module_id = self.context["module_id"]
        for role in ("adapter", "category_module", "task_module", "teacher_task_module"):
            if getattr(job, f"{role}_id") == module_id:
                return role.removesuffix("_module")
        return "unknown"


class UsageSerializer(serializers.Serializer):
    graphs = UsageGraphSerializer(many=True)
    jobs = UsageJobSerializer(many=True)


class IntegrityParentSerializer(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField()
    module_id = serializers.IntegerField(allow_null=True)
    recorded_sha256 = serializers.CharField()
    current_sha256 = serializers.CharField(allow_null=True)
    unchanged = serializers.BooleanField(allow_null=True)


class IntegritySerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    weights_ok = serializers.BooleanField(help_text="The stored weights still hash to sha256.")
    parents = IntegrityParentSerializer(many=True)
    frozen_unchanged = serializers.BooleanField(
        help_text="No frozen module it was made from has changed (the no-forgetting check)."
    )
