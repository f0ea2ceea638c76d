"""Job endpoints: list, detail, points (backfill), cancel, retry, insight, and compares."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.jobs import compare, selectors, services
from webapp.jobs.serializers import (
    CompareCreateSerializer,
    CompareQuerySerializer,
    CompareSerializer,
    InsightSerializer,
    JobPointSerializer,
    JobQuerySerializer,
    JobSerializer,
    PointsQuerySerializer,
    TeacherJobCreateSerializer,
)
from webapp.jobs.teacher_jobs import teacher_job_create


class JobListApi(GenericAPIView):
    serializer_class = JobSerializer

    @extend_schema(parameters=[JobQuerySerializer], responses=JobSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = JobQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ids = query.validated_data.get("ids")
        jobs = selectors.job_list(
            user=request.user,
            graph_id=query.validated_data.get("graph"),
            status=query.validated_data.get("status"),
            ids=[int(i) for i in ids.split(",")] if ids else None,
        )
        page = self.paginate_queryset(jobs)
        return self.get_paginated_response(JobSerializer(page, many=True).data)

    @extend_schema(request=TeacherJobCreateSerializer, responses={201: JobSerializer})
    def post(self, request: Request) -> Response:
        serializer = TeacherJobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        settings = {k: v for k, v in serializer.validated_data.items() if k != "kind"}
        job = teacher_job_create(owner=request.user, raw=settings)
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)


class JobDetailApi(GenericAPIView):
    serializer_class = JobSerializer

    def get(self, request: Request, job_id: int) -> Response:
        return Response(JobSerializer(selectors.job_get(user=request.user, job_id=job_id)).data)


class JobPointsApi(GenericAPIView):
    serializer_class = JobPointSerializer
    pagination_class = None

    @extend_schema(parameters=[PointsQuerySerializer], responses=JobPointSerializer(many=True))
    def get(self, request: Request, job_id: int) -> Response:
        query = PointsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        job = selectors.job_get(user=request.user, job_id=job_id)
        points = selectors.job_points(job=job, after=query.validated_data.get("after"))
        return Response(JobPointSerializer(points, many=True).data)


class JobCancelApi(GenericAPIView):
    serializer_class = JobSerializer

    @extend_schema(request=None, responses=JobSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        job = selectors.job_get(user=request.user, job_id=job_id)
        return Response(JobSerializer(services.job_cancel(job=job)).data)


class JobRetryApi(GenericAPIView):
    serializer_class = JobSerializer

    @extend_schema(request=None, responses={201: JobSerializer})
    def post(self, request: Request, job_id: int) -> Response:
        job = selectors.job_get(user=request.user, job_id=job_id)
        new_job = services.job_retry(job=job, user=request.user)
        return Response(JobSerializer(new_job).data, status=status.HTTP_201_CREATED)


class JobInsightApi(GenericAPIView):
    serializer_class = InsightSerializer

    def get(self, request: Request, job_id: int) -> Response:
        job = selectors.job_get(user=request.user, job_id=job_id)
        return Response(services.job_insight(job=job))


class CompareListApi(GenericAPIView):
    serializer_class = CompareSerializer

    @extend_schema(parameters=[CompareQuerySerializer], responses=CompareSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = CompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        compares = compare.compare_list(user=request.user, graph_id=query.validated_data.get("graph"))
        page = self.paginate_queryset(compares)
        return self.get_paginated_response(CompareSerializer(page, many=True).data)

    @extend_schema(request=CompareCreateSerializer, responses={201: CompareSerializer})
    def post(self, request: Request) -> Response:
        body = CompareCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        created = compare.compare_create(
            owner=request.user,
            edge_id=data["edge"],
            methods=data.get("methods"),
            seeds=data["seeds"],
            samples=data.get("samples"),
            steps=data.get("steps"),
        )
        read_back = compare.compare_get(user=request.user, compare_id=created.id)
        return Response(CompareSerializer(read_back).data, status=status.HTTP_201_CREATED)


class CompareDetailApi(GenericAPIView):
    serializer_class = CompareSerializer

    def get(self, request: Request, compare_id: int) -> Response:
        return Response(CompareSerializer(compare.compare_get(user=request.user, compare_id=compare_id)).data)
