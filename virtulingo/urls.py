from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from virtulingo.health import HealthView

urlpatterns = [
    # Before the admin's own routes, which would answer 404 for the console's path.
    path("admin/", include("web.author_urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("health", HealthView.as_view(), name="health"),
    path("api/", include("players.urls")),
    path("api/", include("grammar.urls")),
    path("api/", include("conversations.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include("web.urls")),
]
