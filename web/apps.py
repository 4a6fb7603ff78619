from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        from web import receivers  # noqa: F401  (connects the live dashboard's receivers)
