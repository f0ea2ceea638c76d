"""Dataset endpoints: thin views over dataset selectors and services."""

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.datasets import selectors, services
from webapp.datasets.serializers import (
    DatasetFacetsSerializer,
    DatasetQuerySerializer,
    DatasetSampleSerializer,
    DatasetSerializer,
    DatasetUpdateSerializer,
    DatasetUploadSerializer,
)

SAMPLES_PER_CLASS = 8


def _query(request: Request) -> dict:
    serializer = DatasetQuerySerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DatasetListApi(GenericAPIView):
    serializer_class = DatasetSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(parameters=[DatasetQuerySerializer], responses=DatasetSerializer(many=True))
    def get(self, request: Request) -> Response:
        datasets = selectors.dataset_list(user=request.user, filters=_query(request))
        page = self.paginate_queryset(datasets)
        return self.get_paginated_response(DatasetSerializer(page, many=True).data)

    @extend_schema(request=DatasetUploadSerializer, responses={201: DatasetSerializer})
    def post(self, request: Request) -> Response:
        serializer = DatasetUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dataset = services.dataset_upload(
            owner=request.user,
            archive=data["archive"],
            name=data["name"],
            task=data.get("task"),
            visibility=data["visibility"],
            license=data["license"],
            description=data["description"],
        )
        return Response(DatasetSerializer(dataset).data, status=status.HTTP_201_CREATED)


class DatasetFacetsApi(GenericAPIView):
    serializer_class = DatasetFacetsSerializer
    pagination_class = None

    @extend_schema(parameters=[DatasetQuerySerializer], responses=DatasetFacetsSerializer)
    def get(self, request: Request) -> Response:
        datasets = selectors.dataset_list(user=request.user, filters=_query(request))
        return Response(selectors.dataset_facets(queryset=datasets))


class DatasetDetailApi(GenericAPIView):
    serializer_class = DatasetSerializer

    def get(self, request: Request, dataset_id: int) -> Response:
        dataset = selectors.dataset_get(user=request.user, dataset_id=dataset_id)
        return Response(DatasetSerializer(dataset).data)

    @extend_schema(request=DatasetUpdateSerializer, responses=DatasetSerializer)
    def patch(self, request: Request, dataset_id: int) -> Response:
        serializer = DatasetUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dataset = selectors.dataset_get(user=request.user, dataset_id=dataset_id)
        dataset = services.dataset_update(dataset=dataset, user=request.user, data=serializer.validated_data)
        return Response(DatasetSerializer(dataset).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, dataset_id: int) -> Response:
        dataset = selectors.dataset_get(user=request.user, dataset_id=dataset_id)
        services.dataset_delete(dataset=dataset, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DatasetDownloadApi(GenericAPIView):
    serializer_class = None

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, dataset_id: int) -> HttpResponse:
        dataset = selectors.dataset_get(user=request.user, dataset_id=dataset_id)
        response = StreamingHttpResponse(
            selectors.dataset_zip(dataset=dataset), content_type="application/zip"
        )
        response["Content-Disposition"] = f'attachment; filename="{dataset.name}-{dataset.sha256[:12]}.zip"'
        return response


class DatasetSamplesApi(GenericAPIView):
    serializer_class = DatasetSampleSerializer
    pagination_class = None

    def get(self, request: Request, dataset_id: int) -> Response:
        dataset = selectors.dataset_get(user=request.user, dataset_id=dataset_id)
        samples = selectors.dataset_samples(dataset=dataset, per_class=SAMPLES_PER_CLASS)
        return Response(DatasetSampleSerializer(samples, many=True).data)


class DatasetThumbnailApi(GenericAPIView):
    serializer_class = None

    @extend_schema(
        parameters=[OpenApiParameter("path", str, required=True)],
        responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, dataset_id: int) -> HttpResponse:
        dataset = selectors.dataset_get(user=request.user, dataset_id=dataset_id)
        png = selectors.dataset_thumbnail(dataset=dataset, path=request.query_params.get("path", ""))
        response = HttpResponse(png, content_type="image/png")
        response["Cache-Control"] = "private, max-age=86400"  # content-addressed: never changes
        return response
