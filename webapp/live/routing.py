from django.urls import path

from webapp.live.consumers import GraphConsumer, JobConsumer

websocket_urlpatterns = [
    path("ws/graphs/<int:graph_id>/", GraphConsumer.as_asgi()),
    path("ws/jobs/<int:job_id>/", JobConsumer.as_asgi()),
]
