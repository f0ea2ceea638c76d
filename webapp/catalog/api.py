"""Catalog endpoints: thin views over catalog selectors and services."""

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.catalog import selectors, services
from webapp.catalog.serializers import (
    FacetsSerializer,
    IntegritySerializer,
    LineageSerializer,
    ModuleQuerySerializer,
    ModuleSerializer,
    ModuleUpdateSerializer,
    ModuleUploadSerializer,
    UsageSerializer,
)


def _query(request: Request) -> dict:
    serializer = ModuleQuerySerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ModuleListApi(GenericAPIView):
    serializer_class = ModuleSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(parameters=[ModuleQuerySerializer], responses=ModuleSerializer(many=True))
    def get(self, request: Request) -> Response:
        modules = selectors.module_list(user=request.user, filters=_query(request))
        page = self.paginate_queryset(modules)
        return self.get_paginated_response(ModuleSerializer(page, many=True).data)

    @extend_schema(request=ModuleUploadSerializer, responses={201: ModuleSerializer})
    def post(self, request: Request) -> Response:
        serializer = ModuleUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        module = services.module_upload(
            owner=request.user,
            weights_file=data["weights"],
            manifest_file=data["manifest"],
            visibility=data["visibility"],
        )
        return Response(ModuleSerializer(module).data, status=status.HTTP_201_CREATED)


class ModuleFacetsApi(GenericAPIView):
    serializer_class = FacetsSerializer
    pagination_class = None

    @extend_schema(parameters=[ModuleQuerySerializer], responses=FacetsSerializer)
    def get(self, request: Request) -> Response:
        modules = selectors.module_list(user=request.user, filters=_query(request))
        return Response(selectors.module_facets(queryset=modules))


class ModuleDetailApi(GenericAPIView):
    serializer_class = ModuleSerializer

    def get(self, request: Request, module_id: int) -> Response:
        module = selectors.module_get(user=request.user, module_id=module_id)
        return Response(ModuleSerializer(module).data)

    @extend_schema(request=ModuleUpdateSerializer, responses=ModuleSerializer)
    def patch(self, request: Request, module_id: int) -> Response:
        serializer = ModuleUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        module = selectors.module_get(user=request.user, module_id=module_id)
        module = services.module_update(module=module, user=request.user, data=serializer.validated_data)
        return Response(ModuleSerializer(module).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, module_id: int) -> Response:
        module = selectors.module_get(user=request.user, module_id=module_id)
        services.module_delete(module=module, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModuleDownloadApi(GenericAPIView):
    serializer_class = None

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, module_id: int) -> HttpResponse:
        module = selectors.module_get(user=request.user, module_id=module_id)
        response = StreamingHttpResponse(selectors.module_zip(module=module), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{module.name}-{module.sha256[:12]}.zip"'
        return response


class ModuleLineageApi(GenericAPIView):
    serializer_class = LineageSerializer

    def get(self, request: Request, module_id: int) -> Response:
        module = selectors.module_get(user=request.user, module_id=module_id)
        return Response(LineageSerializer(selectors.module_lineage(user=request.user, module=module)).data)


class ModuleUsageApi(GenericAPIView):
    """The reader's graphs and jobs that use the module."""

    serializer_class = UsageSerializer
    pagination_class = None

    def get(self, request: Request, module_id: int) -> Response:
        module = selectors.module_get(user=request.user, module_id=module_id)
        usage = selectors.module_usage(user=request.user, module=module)
        return Response(UsageSerializer(usage, context={"module_id": module.id}).data)


class ModuleIntegrityApi(GenericAPIView):
    """The weights' SHA-256 checked again, and the no-forgetting check of its frozen parents."""

    serializer_class = IntegritySerializer
    pagination_class = None

    def get(self, request: Request, module_id: int) -> Response:
        module = selectors.module_get(user=request.user, module_id=module_id)
        return Response(
            IntegritySerializer(selectors.module_integrity(user=request.user, module=module)).data
        )
