"""Sessions in the database, as Django's `db` engine keeps them, read by fixed SQL (`rows`)."""

import functools
from typing import TYPE_CHECKING

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.sessions.models import Session


@functools.cache
def _read_sql(table: str) -> str:
    quote = connection.ops.quote_name
    return (f"SELECT {quote('session_data')} FROM {quote(table)} "
            f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s")


class SessionStore(db.SessionStore):
    """Django's database sessions; only the read that every request makes skips building a
    queryset. Writes, expiry and clearing are Django's."""

    def _get_session_from_db(self) -> "Session | None":
        key = self.session_key
        if key is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(_read_sql(self.model._meta.db_table),
                           [key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])
