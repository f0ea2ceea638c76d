from django.urls import path

from webapp.catalog import api, import_api

urlpatterns = [
    path("", api.ModuleListApi.as_view(), name="module-list"),
    path("facets/", api.ModuleFacetsApi.as_view(), name="module-facets"),
    path("import/", import_api.ModuleImportApi.as_view(), name="module-import"),
    path("<int:module_id>/", api.ModuleDetailApi.as_view(), name="module-detail"),
    path("<int:module_id>/download/", api.ModuleDownloadApi.as_view(), name="module-download"),
    path("<int:module_id>/lineage/", api.ModuleLineageApi.as_view(), name="module-lineage"),
    path("<int:module_id>/usage/", api.ModuleUsageApi.as_view(), name="module-usage"),
    path("<int:module_id>/integrity/", api.ModuleIntegrityApi.as_view(), name="module-integrity"),
]
