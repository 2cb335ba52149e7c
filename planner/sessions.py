"""SESSION_ENGINE: Django's database sessions, with the one read every request makes written in SQL.

Through the ORM (`Session.objects.get(session_key=…, expire_date__gt=now)`) loading a session costs about twice
as much as in SQL (docs/PERFORMANCE.md has the figures). Everything else —
creating, saving, rotating, deleting and clearing sessions — is Django's own `db.SessionStore`.
"""

from functools import lru_cache

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        """The session's data, or {} (and no key) when it does not exist or has expired, as Django's does."""
        connection = connections[router.db_for_read(self.model)]
        with connection.cursor() as cursor:
            cursor.execute(
                _load_sql(self.model, connection.alias),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])


@lru_cache(maxsize=4)
def _load_sql(model, alias):
    q = connections[alias].ops.quote_name
    field = model._meta.get_field
    return (
        f"SELECT {q(field('session_data').column)} FROM {q(model._meta.db_table)}"
        f" WHERE {q(field('session_key').column)} = %s AND {q(field('expire_date').column)} > %s"
    )
