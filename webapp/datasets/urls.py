from django.urls import path

from webapp.datasets import api

urlpatterns = [
    path("", api.DatasetListApi.as_view(), name="dataset-list"),
    path("facets/", api.DatasetFacetsApi.as_view(), name="dataset-facets"),
    path("<int:dataset_id>/", api.DatasetDetailApi.as_view(), name="dataset-detail"),
    path("<int:dataset_id>/download/", api.DatasetDownloadApi.as_view(), name="dataset-download"),
    path("<int:dataset_id>/samples/", api.DatasetSamplesApi.as_view(), name="dataset-samples"),
    path("<int:dataset_id>/thumbnail/", api.DatasetThumbnailApi.as_view(), name="dataset-thumbnail"),
]
