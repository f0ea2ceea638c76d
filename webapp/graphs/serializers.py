"""Serializers for graphs, nodes, edges, versions and the inputs that change them."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

import engine
from webapp.catalog.serializers import ModuleLiteSerializer
from webapp.graphs.models import Edge, Graph, GraphVersion, Node
from webapp.jobs.serializers import JobSerializer, JobSettingsSerializer


class NodeSerializer(serializers.ModelSerializer):
    module = ModuleLiteSerializer()

    class Meta:
        model = Node
        fields = ["id", "module", "x", "y"]


class EdgeSerializer(serializers.ModelSerializer):
    source = serializers.IntegerField(source="source_id")
    target = serializers.IntegerField(source="target_id")
    settings = JobSettingsSerializer()
    job = JobSerializer(allow_null=True)
    adapter = serializers.SerializerMethodField()

    class Meta:
        model = Edge
        fields = ["id", "source", "target", "settings", "job", "adapter"]

    def get_adapter(self, edge) -> ModuleLiteSerializer(allow_null=True):
        adapter = edge.job.adapter if edge.job else None
        return ModuleLiteSerializer(adapter).data if adapter else None


class GraphSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    nodes = NodeSerializer(many=True)
    edges = EdgeSerializer(many=True)

    class Meta:
        model = Graph
        fields = ["id", "name", "owner", "created", "updated", "nodes", "edges"]


class GraphSummarySerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")

    class Meta:
        model = Graph
        fields = ["id", "name", "owner", "created", "updated"]


class GraphInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class NodeCreateSerializer(serializers.Serializer):
    module = serializers.IntegerField()
    x = serializers.FloatField(default=0.0)
    y = serializers.FloatField(default=0.0)


class NodeMoveSerializer(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()


class EdgeCreateSerializer(serializers.Serializer):
    source = serializers.IntegerField(help_text="Node id of the category module.")
    target = serializers.IntegerField(help_text="Node id of the task module.")
    settings = serializers.DictField(
        required=False, help_text="method, samples, adapter_layers, steps, seed; defaults filled in."
    )


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = GraphVersion
        fields = ["id", "name", "created"]


class DocumentNodeSerializer(serializers.Serializer):
    key = serializers.CharField()
    module_sha256 = serializers.CharField()
    x = serializers.FloatField()
    y = serializers.FloatField()


class DocumentEdgeSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    settings = serializers.DictField(required=False)


class GraphDocumentSerializer(serializers.Serializer):
    format = serializers.CharField()
    name = serializers.CharField(max_length=200)
    nodes = DocumentNodeSerializer(many=True)
    edges = DocumentEdgeSerializer(many=True)


class PredictInputSerializer(serializers.Serializer):
    image = serializers.ImageField(required=False, help_text="A PNG or JPEG.")
    pixels = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        required=False,
        help_text="A drawn image, rows of [0, 1].",
    )

    def validate(self, attrs):
        if ("image" in attrs) == ("pixels" in attrs):
            raise serializers.ValidationError("Send either an image file or a pixels array.")
        return attrs


class ClassificationPredictionSerializer(serializers.Serializer):
    task = serializers.CharField()
    probability = serializers.FloatField(help_text="Of the category, in [0, 1].")


class SegmentationPredictionSerializer(serializers.Serializer):
    task = serializers.CharField()
    mask = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Rows of 0 or 1 (1: the category).",
    )
    width = serializers.IntegerField()
    height = serializers.IntegerField()


# What a prediction holds depends on the task module's task, named in its "task".
PredictionSerializer = PolymorphicProxySerializer(
    component_name="Prediction",
    serializers={
        engine.Task.CLASSIFICATION.value: ClassificationPredictionSerializer,
        engine.Task.SEGMENTATION.value: SegmentationPredictionSerializer,
    },
    resource_type_field_name="task",
)
