"""URL map: the API under /api/, the admin, the schema, and the front end for everything else.
(/healthz, /readyz and /metrics are answered by ``webapp.health.ProbeMiddleware``.)"""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from webapp.frontend import app_page
from webapp.jobs.edge_settings_api import EdgeSettingsApi, EdgeSettingsPreviewApi

api_patterns = [
    path("auth/", include("webapp.accounts.urls")),
    path("modules/", include("webapp.catalog.urls")),
    path("graphs/", include("webapp.graphs.urls")),
    path("jobs/", include("webapp.jobs.urls")),
    path("datasets/", include("webapp.datasets.urls")),
    path("edge-settings/", EdgeSettingsApi.as_view(), name="edge-settings"),
    path("edge-settings/preview/", EdgeSettingsPreviewApi.as_view(), name="edge-settings-preview"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    # Anything else is a front-end route (the SPA routes on the client); /api and /static are not.
    re_path(r"^(?!api/|static/|admin/|ws/)(?P<path>.*)$", app_page, name="app"),
]
