from django.urls import path

from webapp.live.consumers import GraphConsumer

websocket_urlpatterns = [
    path("ws/graphs/<int:graph_id>/", GraphConsumer.as_asgi()),
]
