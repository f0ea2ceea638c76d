"""Serializers for datasets (output) and their query/upload/update inputs."""

from rest_framework import serializers

from webapp.catalog.models import Visibility
from webapp.datasets.models import Dataset, DatasetTask
from webapp.datasets.selectors import ORDERINGS
from webapp.schema import CountsField, ImageSizesField, NamesField, SplitCountsField


class DatasetSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    classes = NamesField(help_text="The class folders, sorted; empty for segmentation.")
    counts = CountsField()
    split_counts = SplitCountsField()
    image_sizes = ImageSizesField()

    class Meta:
        model = Dataset
        fields = [
            "id",
            "name",
            "task",
            "classes",
            "counts",
            "split_counts",
            "image_sizes",
            "channels",
            "file_count",
            "size_bytes",
            "license",
            "description",
            "owner",
            "visibility",
            "sha256",
            "created",
        ]


class DatasetQuerySerializer(serializers.Serializer):
    task = serializers.ChoiceField(choices=DatasetTask.choices, required=False)
    category = serializers.CharField(required=False)
    owner = serializers.CharField(required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    search = serializers.CharField(required=False)
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False)


class DatasetUploadSerializer(serializers.Serializer):
    archive = serializers.FileField(
        help_text="a zip: class folders (forklift/0001.png ...) or "
        "images/<name>.png|jpg with masks/<name>.png"
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    task = serializers.ChoiceField(
        choices=DatasetTask.choices, required=False, help_text="read from the layout when left out"
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)
    license = serializers.CharField(max_length=100, default="CC-BY-4.0")
    description = serializers.CharField(required=False, allow_blank=True, default="")


class DatasetUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    license = serializers.CharField(max_length=100, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class DatasetFacetsSerializer(serializers.Serializer):
    task = serializers.DictField(child=serializers.IntegerField())
    category = serializers.DictField(child=serializers.IntegerField())
    visibility = serializers.DictField(child=serializers.IntegerField())


class DatasetSampleSerializer(serializers.Serializer):
    label = serializers.CharField()
    path = serializers.CharField()
