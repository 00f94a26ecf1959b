"""Spreadsheet exchange: the import page, templates, and one export URL per register."""

from django.urls import path

from twinning.shared.exchange import views
from twinning.shared.exchange.services import KINDS

urlpatterns = [
    path("exchange/", views.import_page, name="exchange_import"),
    path("exchange/confirm/", views.confirm, name="exchange_confirm"),
    path("exchange/progress/", views.progress, name="exchange_progress"),
    path("exchange/progress/status/", views.progress_status, name="exchange_progress_status"),
    path(
        "exchange/templates/<slug:kind>.<slug:fmt>",
        views.template,
        name="exchange_template",
    ),
    # Each register's export is its own URL, so the permission matrix has a row for each.
    *(
        path(f"exchange/export/{key}.<slug:fmt>", views.export, {"kind": key},
             name=f"export_{key}")
        for key in KINDS
    ),
    # The same rows as a report to read (names, figures, a title row): XLSX only.
    *(
        path(f"exchange/listing/{key}.xlsx", views.listing, {"kind": key},
             name=f"listing_{key}")
        for key, kind in KINDS.items() if kind.listing is not None
    ),
]
