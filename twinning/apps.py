from django.apps import AppConfig


class TwinningConfig(AppConfig):
    name = "twinning"
    verbose_name = "联合党组织"

    def ready(self) -> None:
        from . import records

        records.connect()
