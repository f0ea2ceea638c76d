"""URL map: the API under /api/, the admin, the schema, probes and metrics, and the front end
for everything else."""
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from webapp.frontend import app_page
from webapp.health import healthz, readyz

api_patterns = [
    path("auth/", include("webapp.accounts.urls")),
    path("modules/", include("webapp.catalog.urls")),
    path("graphs/", include("webapp.graphs.urls")),
    path("jobs/", include("webapp.jobs.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("", include("django_prometheus.urls")),  # /metrics
    # Anything else is a front-end route (the SPA routes on the client); /api and /static are not.
    re_path(r"^(?!api/|static/|admin/|ws/|healthz$|readyz$|metrics$)(?P<path>.*)$", app_page,
            name="app"),
]
