from django.urls import path

from webapp.graphs import api

urlpatterns = [
    path("", api.GraphListApi.as_view(), name="graph-list"),
    path("import/", api.GraphImportApi.as_view(), name="graph-import"),
    path("<int:graph_id>/", api.GraphDetailApi.as_view(), name="graph-detail"),
    path("<int:graph_id>/export/", api.GraphExportApi.as_view(), name="graph-export"),
    path("<int:graph_id>/nodes/", api.NodeListApi.as_view(), name="node-list"),
    path("<int:graph_id>/nodes/<int:node_id>/", api.NodeDetailApi.as_view(), name="node-detail"),
    path("<int:graph_id>/edges/", api.EdgeListApi.as_view(), name="edge-list"),
    path("<int:graph_id>/edges/<int:edge_id>/", api.EdgeDetailApi.as_view(), name="edge-detail"),
    path("<int:graph_id>/edges/<int:edge_id>/predict/", api.EdgePredictApi.as_view(), name="edge-predict"),
    path("<int:graph_id>/edges/<int:edge_id>/gallery/", api.EdgeGalleryApi.as_view(), name="edge-gallery"),
    path(
        "<int:graph_id>/edges/<int:edge_id>/gallery/<int:index>/",
        api.EdgeGalleryImageApi.as_view(),
        name="edge-gallery-image",
    ),
    path("<int:graph_id>/versions/", api.VersionListApi.as_view(), name="version-list"),
    path(
        "<int:graph_id>/versions/<int:version_id>/restore/",
        api.VersionRestoreApi.as_view(),
        name="version-restore",
    ),
]
