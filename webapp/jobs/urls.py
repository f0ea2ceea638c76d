from django.urls import path

from webapp.jobs import api

urlpatterns = [
    path("", api.JobListApi.as_view(), name="job-list"),
    path("<int:job_id>/", api.JobDetailApi.as_view(), name="job-detail"),
    path("<int:job_id>/points/", api.JobPointsApi.as_view(), name="job-points"),
    path("<int:job_id>/cancel/", api.JobCancelApi.as_view(), name="job-cancel"),
    path("<int:job_id>/retry/", api.JobRetryApi.as_view(), name="job-retry"),
    path("<int:job_id>/insight/", api.JobInsightApi.as_view(), name="job-insight"),
    path("compares/", api.CompareListApi.as_view(), name="compare-list"),
    path("compares/<int:compare_id>/", api.CompareDetailApi.as_view(), name="compare-detail"),
]
