"""Spreadsheet exchange: the import page, templates, and one export URL per register."""

from django.urls import path

from . import views_exchange
from .exchange import KINDS

urlpatterns = [
    path("exchange/", views_exchange.import_page, name="exchange_import"),
    path("exchange/confirm/", views_exchange.confirm, name="exchange_confirm"),
    path(
        "exchange/templates/<slug:kind>.<slug:fmt>",
        views_exchange.template,
        name="exchange_template",
    ),
    # Each register's export is its own URL, so the permission matrix has a row for each.
    *(
        path(f"exchange/export/{key}.<slug:fmt>", views_exchange.export, {"kind": key},
             name=f"export_{key}")
        for key in KINDS
    ),
]
