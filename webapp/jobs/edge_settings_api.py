"""Edge settings endpoints: the published settings (defaults, limits, choices) and a preview of
what an edge between two modules starts with."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.jobs.edge_settings import edge_settings_describe, edge_settings_preview
from webapp.jobs.serializers import (
    EdgeSettingsPreviewQuerySerializer,
    EdgeSettingsPreviewSerializer,
    EdgeSettingsSpecSerializer,
)


class EdgeSettingsApi(APIView):
    @extend_schema(responses=EdgeSettingsSpecSerializer)
    def get(self, request: Request) -> Response:
        return Response(edge_settings_describe())


class EdgeSettingsPreviewApi(APIView):
    @extend_schema(parameters=[EdgeSettingsPreviewQuerySerializer], responses=EdgeSettingsPreviewSerializer)
    def get(self, request: Request) -> Response:
        query = EdgeSettingsPreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            edge_settings_preview(
                user=request.user,
                category_id=query.validated_data["category"],
                task_id=query.validated_data["task"],
                samples=query.validated_data.get("samples"),
                adapter_layers=query.validated_data.get("adapter_layers"),
                dataset_id=query.validated_data.get("dataset"),
            )
        )
