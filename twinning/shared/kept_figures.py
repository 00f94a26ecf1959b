"""Figures remembered until the programme's data changes.

The dashboard, the home pages and the outcomes aggregate the whole city; at ten times the
reference city that takes a second or more, so each process keeps what it computed and answers
from it while nothing has changed:

    data = memo.remember("dashboard", bulletin_data, period, committees, villages)

The key is the name, the inputs (a queryset by its SQL, which holds its filters and the user's
scope; anything else by `repr`), the language, today's date, and the **data version**: one query
reading the newest row id of every history table (every change to programme data writes one,
deletions included) and of the tables that grant access (with their row counts, since a revoked
permission leaves no history). A change saved by any process — a page, an import, a command, a
Celery worker — changes the version, so no cached figure outlives a recorded change; a figure
is recomputed at its next request. The figures live in each process's own memory (the `figures`
cache, `LocMemCache`): nothing to invalidate across machines, no dependency on Redis, and
nothing pickled over the network.

Two transactions that commit in the opposite order of their history ids can leave a version
that a reader already saw before the later commit, and an edit made in place to a user or
profile row (a role, an account deactivated) changes neither newest id nor count;
`FIGURES_TIMEOUT` (default two minutes) bounds how long such a figure can be served.
Pages read figures before they write, never after (a write redirects), so no figure is
gathered from a transaction's uncommitted rows.
"""

import functools
import hashlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone, translation
from simple_history.models import registered_models

T = TypeVar("T")
_request = threading.local()

# Access tables have no history; a grant or revocation changes their newest id or their count.
ACCESS_MODELS = ("twinning.Profile", "twinning.TownUserObjectPermission",
                 "twinning.CommitteeUserObjectPermission", "auth.User")


@functools.cache
def _version_sql() -> str:
    quote = connection.ops.quote_name
    parts = []
    for model in sorted(registered_models.values(), key=lambda m: m._meta.db_table):
        history = model.history.model._meta
        parts.append(f"(SELECT MAX({quote(history.pk.column)}) FROM {quote(history.db_table)})")
    for label in ACCESS_MODELS:
        meta = apps.get_model(label)._meta
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        parts += [f"(SELECT MAX({pk}) FROM {table})", f"(SELECT COUNT(*) FROM {table})"]
    return "SELECT " + ", ".join(parts)


PREPARED = "twinning_data_version"


def _version_statement() -> str:
    """On PostgreSQL, the version query as a statement prepared once per connection: planning
    its fifty subqueries took ten times as long as running them, on every request. The
    PREPARE is sent straight to the connection (once per connection, like its other set-up)
    and outlives any transaction; the EXECUTE is the request's one query."""
    if connection.vendor != "postgresql":
        return _version_sql()
    connection.ensure_connection()
    raw = connection.connection
    if not getattr(raw, "twinning_version_prepared", False):
        raw.execute(f"PREPARE {PREPARED} AS {_version_sql()}")
        raw.twinning_version_prepared = True
    return f"EXECUTE {PREPARED}"


def data_version() -> str:
    """A fingerprint of the programme's data that any recorded change alters (one query, read
    once per request: a page that shows several figures shows them as of the same moment)."""
    found = getattr(_request, "version", None)
    if found is not None:
        return found
    with connection.cursor() as cursor:
        cursor.execute(_version_statement())
        version = hashlib.sha1(repr(cursor.fetchone()).encode()).hexdigest()
    if getattr(_request, "open", False):
        _request.version = version
    return version


def _request_started(**_kwargs: Any) -> None:
    _request.open, _request.version = True, None


def _request_finished(**_kwargs: Any) -> None:
    _request.open, _request.version = False, None


def connect() -> None:
    """Read the version afresh for each request (outside requests: at each call)."""
    request_started.connect(_request_started, dispatch_uid="memo-request-started")
    request_finished.connect(_request_finished, dispatch_uid="memo-request-finished")


def _describe(value: Any) -> str:
    if isinstance(value, QuerySet):
        try:
            return f"{value.model._meta.label}:{value.query}"
        except EmptyResultSet:
            return f"{value.model._meta.label}:none"
    if isinstance(value, Model):  # its repr names it, which need not be unique
        return f"{value._meta.label}#{value.pk}"
    return repr(value)


def key_for(name: str, inputs: tuple, version: str) -> str:
    described = "|".join(_describe(value) for value in inputs)
    context = f"{translation.get_language()}|{timezone.localdate()}|{version}"
    return f"{name}:{hashlib.sha1(f'{described}|{context}'.encode()).hexdigest()}"


def remember(name: str, compute: Callable[..., T], *inputs: Any) -> T:
    """`compute(*inputs)`, or what it returned for the same inputs while the data was the same.

    The inputs go to `compute` unchanged, so what is cached is exactly what they determine.
    """
    cache = caches["figures"]
    key = key_for(name, inputs, data_version())
    found = cache.get(key)
    if found is not None:
        return found
    value = compute(*inputs)
    cache.set(key, value, settings.FIGURES_TIMEOUT)
    return value


def fragment(name: str, inputs: tuple, render: Callable[[], str], *,
             versioned: bool = True) -> str:
    """Rendered HTML that depends only on kept figures, kept under the same key as they are
    (the name, the inputs, language, date and data version): `render()` runs only when the data
    changed since the fragment was last rendered in this process. What is kept is the text, so
    a hit costs neither unpickling the figures nor rendering them. A fragment that reads no
    data at all (the navigation: the user's rights and the page) is kept without the version,
    and so costs no query."""
    cache = caches["figures"]
    key = key_for(f"fragment:{name}", inputs, data_version() if versioned else "-")
    found = cache.get(key)
    if found is None:
        found = str(render())
        cache.set(key, found, settings.FIGURES_TIMEOUT)
    return found


def later(compute: Callable[..., T], *inputs: Any) -> Callable[[], T]:
    """`compute(*inputs)` when first called, at most once: a page's figures that only a missed
    fragment (see `fragment`) reads, so a page served from kept fragments never gathers them.
    Templates call it on lookup (`{{ data.overview }}`)."""
    return functools.cache(functools.partial(compute, *inputs))
