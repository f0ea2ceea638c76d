"""POST /api/modules/import/: a torchvision network in, two catalog modules out."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.catalog.imports import IMPORTABLE_ARCHITECTURES, module_import_torchvision
from webapp.catalog.models import Visibility
from webapp.catalog.serializers import ModuleSerializer


class ModuleImportSerializer(serializers.Serializer):
    weights = serializers.FileField(help_text="a state_dict in safetensors with torchvision's key names")
    arch = serializers.ChoiceField(choices=IMPORTABLE_ARCHITECTURES, default="vgg16")
    category = serializers.CharField(max_length=64)
    positive_index = serializers.IntegerField(
        required=False, min_value=0, help_text="the category's output when the head has more than 2"
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)
    license = serializers.CharField(max_length=100, default="unspecified")


class ImportedSerializer(serializers.Serializer):
    category = ModuleSerializer()
    task = ModuleSerializer()


class ModuleImportApi(GenericAPIView):
    serializer_class = ImportedSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(request=ModuleImportSerializer, responses={201: ImportedSerializer})
    def post(self, request: Request) -> Response:
        serializer = ModuleImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        category, task = module_import_torchvision(
            owner=request.user,
            weights_file=data["weights"],
            arch=data["arch"],
            category=data["category"],
            positive_index=data.get("positive_index"),
            visibility=data["visibility"],
            license=data["license"],
        )
        return Response(
            ImportedSerializer({"category": category, "task": task}).data, status=status.HTTP_201_CREATED
        )
