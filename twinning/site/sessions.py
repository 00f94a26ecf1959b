"""Sessions in the database, as Django's `db` engine keeps them, read by fixed SQL (`rows`)."""

from typing import TYPE_CHECKING

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.sessions.models import Session


class SessionStore(db.SessionStore):
    """Django's database sessions; only the read that every request makes skips building a
    queryset. Writes, expiry and clearing are Django's."""

    def _get_session_from_db(self) -> "Session | None":
        quote = connection.ops.quote_name
        meta = self.model._meta
        key = self.session_key
        if key is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('session_data')} FROM {quote(meta.db_table)} "
                f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s",
                [key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])
