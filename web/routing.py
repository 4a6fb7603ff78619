from django.urls import re_path

from web.consumers import ClassroomLiveConsumer

websocket_urlpatterns = [
    re_path(
        r"^teach/classes/(?P<classroom_id>[0-9]{1,18})/live/?$", ClassroomLiveConsumer.as_asgi(), name="teach-live"
    ),
]
