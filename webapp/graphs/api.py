"""Graph endpoints: graphs, nodes, edges, versions, import/export and predictions."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.graphs import selectors, services
from webapp.graphs.serializers import (
    EdgeCreateSerializer,
    EdgeSerializer,
    GraphDocumentSerializer,
    GraphInputSerializer,
    GraphSerializer,
    GraphSummarySerializer,
    NodeCreateSerializer,
    NodeMoveSerializer,
    NodeSerializer,
    PredictInputSerializer,
    PredictionSerializer,
    VersionSerializer,
)
from webapp.jobs.edge_data import edge_gallery, edge_gallery_png


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _graph_response(request: Request, graph_id: int, code: int = status.HTTP_200_OK) -> Response:
    graph = selectors.graph_get(user=request.user, graph_id=graph_id)
    return Response(GraphSerializer(graph).data, status=code)


class GraphListApi(GenericAPIView):
    serializer_class = GraphSummarySerializer

    @extend_schema(responses=GraphSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.graph_list(user=request.user))
        return self.get_paginated_response(GraphSummarySerializer(page, many=True).data)

    @extend_schema(request=GraphInputSerializer, responses={201: GraphSerializer})
    def post(self, request: Request) -> Response:
        graph = services.graph_create(owner=request.user, **_valid(GraphInputSerializer, request.data))
        return _graph_response(request, graph.id, status.HTTP_201_CREATED)


class GraphImportApi(GenericAPIView):
    serializer_class = GraphDocumentSerializer

    @extend_schema(request=GraphDocumentSerializer, responses={201: GraphSerializer})
    def post(self, request: Request) -> Response:
        _valid(GraphDocumentSerializer, request.data)
        graph = services.graph_import(owner=request.user, document=request.data)
        return _graph_response(request, graph.id, status.HTTP_201_CREATED)


class GraphDetailApi(GenericAPIView):
    serializer_class = GraphSerializer

    def get(self, request: Request, graph_id: int) -> Response:
        return _graph_response(request, graph_id)

    @extend_schema(request=GraphInputSerializer, responses=GraphSerializer)
    def patch(self, request: Request, graph_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        services.graph_update(graph=graph, **_valid(GraphInputSerializer, request.data))
        return _graph_response(request, graph_id)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, graph_id: int) -> Response:
        services.graph_delete(graph=selectors.graph_get(user=request.user, graph_id=graph_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NodeListApi(GenericAPIView):
    serializer_class = NodeSerializer

    @extend_schema(request=NodeCreateSerializer, responses={201: NodeSerializer})
    def post(self, request: Request, graph_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        data = _valid(NodeCreateSerializer, request.data)
        node = services.node_create(
            graph=graph, user=request.user, module_id=data["module"], x=data["x"], y=data["y"]
        )
        return Response(NodeSerializer(node).data, status=status.HTTP_201_CREATED)


class NodeDetailApi(GenericAPIView):
    serializer_class = NodeSerializer

    @extend_schema(request=NodeMoveSerializer, responses=NodeSerializer)
    def patch(self, request: Request, graph_id: int, node_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        node = services.node_update(
            node=selectors.node_get(graph=graph, node_id=node_id), **_valid(NodeMoveSerializer, request.data)
        )
        return Response(NodeSerializer(node).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, graph_id: int, node_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        services.node_delete(node=selectors.node_get(graph=graph, node_id=node_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EdgeListApi(GenericAPIView):
    serializer_class = EdgeSerializer

    @extend_schema(request=EdgeCreateSerializer, responses={201: EdgeSerializer})
    def post(self, request: Request, graph_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        data = _valid(EdgeCreateSerializer, request.data)
        edge = services.edge_create(
            graph=graph,
            user=request.user,
            source_id=data["source"],
            target_id=data["target"],
            settings=data.get("settings"),
        )
        edge = selectors.edge_get(graph=graph, edge_id=edge.id)
        return Response(EdgeSerializer(edge).data, status=status.HTTP_201_CREATED)


class EdgeDetailApi(GenericAPIView):
    serializer_class = EdgeSerializer

    def get(self, request: Request, graph_id: int, edge_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        return Response(EdgeSerializer(selectors.edge_get(graph=graph, edge_id=edge_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, graph_id: int, edge_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        services.edge_delete(edge=selectors.edge_get(graph=graph, edge_id=edge_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EdgePredictApi(GenericAPIView):
    serializer_class = PredictInputSerializer
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(request=PredictInputSerializer, responses=PredictionSerializer)
    def post(self, request: Request, graph_id: int, edge_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        edge = selectors.edge_get(graph=graph, edge_id=edge_id)
        data = _valid(PredictInputSerializer, request.data)
        image = data.get("image")
        result = services.edge_predict(
            edge=edge, image_bytes=image.read() if image else None, pixels=data.get("pixels")
        )
        return Response(result)


class GalleryItemSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    label = serializers.CharField(help_text='The true label: the category, "other", or a mask\'s share.')


class EdgeGalleryApi(GenericAPIView):
    """Test images of the edge's dataset, with their true labels, for "Try it"."""

    serializer_class = GalleryItemSerializer
    pagination_class = None

    @extend_schema(operation_id="graphs_edges_gallery_list", responses=GalleryItemSerializer(many=True))
    def get(self, request: Request, graph_id: int, edge_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        return Response(edge_gallery(edge=selectors.edge_get(graph=graph, edge_id=edge_id)))


class EdgeGalleryImageApi(GenericAPIView):
    serializer_class = None

    @extend_schema(
        operation_id="graphs_edges_gallery_image",
        responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, graph_id: int, edge_id: int, index: int) -> HttpResponse:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        png = edge_gallery_png(edge=selectors.edge_get(graph=graph, edge_id=edge_id), index=index)
        return HttpResponse(png, content_type="image/png")


class VersionListApi(GenericAPIView):
    serializer_class = VersionSerializer
    pagination_class = None

    @extend_schema(responses=VersionSerializer(many=True))
    def get(self, request: Request, graph_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        return Response(VersionSerializer(graph.versions.all(), many=True).data)

    @extend_schema(request=GraphInputSerializer, responses={201: VersionSerializer})
    def post(self, request: Request, graph_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        version = services.version_create(graph=graph, **_valid(GraphInputSerializer, request.data))
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class VersionRestoreApi(GenericAPIView):
    serializer_class = GraphSerializer

    @extend_schema(request=None, responses=GraphSerializer)
    def post(self, request: Request, graph_id: int, version_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        version = selectors.version_get(graph=graph, version_id=version_id)
        services.version_restore(graph=graph, user=request.user, version=version)
        return _graph_response(request, graph_id)


class GraphExportApi(GenericAPIView):
    serializer_class = GraphDocumentSerializer

    def get(self, request: Request, graph_id: int) -> Response:
        graph = selectors.graph_get(user=request.user, graph_id=graph_id)
        return Response(selectors.graph_document(graph=graph))
