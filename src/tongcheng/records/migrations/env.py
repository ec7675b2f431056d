"""Alembic environment of the record store (as fastapi/full-stack-fastapi-template's
``backend/app/alembic/env.py``: the models' metadata, the URL from the caller).

The store runs migrations itself (``tongcheng.records.store.migrate``), handing over an open
connection in ``config.attributes["connection"]``; ``alembic -x url=...`` from a shell works too.
``render_as_batch=True`` makes ALTERs work on SQLite (copy and move a table) and changes nothing
on PostgreSQL (alembic's docs/build/batch.rst).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tongcheng.records.schema import metadata

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # pragma: no cover - from the alembic command line
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url")
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()
