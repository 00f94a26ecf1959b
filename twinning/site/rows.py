"""The rows every signed-in request reads (its session, its user, the user's second-factor
device), read by fixed SQL instead of a queryset.

Building and compiling a queryset costs more CPU than PostgreSQL spends answering these
one-row lookups by primary key, and every page pays it three times before the view runs. The
SQL here is written once per model from the model's own columns, and the values go through the
same converters Django applies to a queryset's rows (`from_db`), so the instances are the ones
a queryset would give.
"""

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


@functools.cache
def _fields(model: type[Model]) -> tuple:
    return tuple(model._meta.concrete_fields)


def columns(model: type[Model], alias: str) -> str:
    """The model's columns in the order `instance` takes them, for a SELECT list."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in _fields(model))


def width(model: type[Model]) -> int:
    return len(_fields(model))


@functools.cache
def _converters(model: type[Model], vendor: str) -> tuple:
    """(position, column, converters) for each column whose values Django converts."""
    found = []
    for index, field in enumerate(_fields(model)):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            found.append((index, column, tuple(converters)))
    return tuple(found)


@functools.cache
def _pk_index(model: type[Model]) -> int:
    return [field.primary_key for field in _fields(model)].index(True)


def instance(model: type[M], values: Sequence[Any]) -> M | None:
    """The model instance of a row's values (from `columns`), or None for a row of NULLs (an
    outer join that found nothing)."""
    if values[_pk_index(model)] is None:
        return None
    converted = list(values)
    for index, column, converters in _converters(model, connection.vendor):
        for converter in converters:
            converted[index] = converter(converted[index], column, connection)
    return model.from_db(connection.alias, [field.attname for field in _fields(model)], converted)


@functools.cache
def _by_pk_sql(model: type[Model]) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    return (f"SELECT {columns(model, table)} FROM {table} "
            f"WHERE {quote(model._meta.pk.column)} = %s")


def by_pk(model: type[M], pk: Any) -> M | None:
    """The instance with this primary key, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_by_pk_sql(model), [pk])
        row = cursor.fetchone()
    return instance(model, row) if row else None
