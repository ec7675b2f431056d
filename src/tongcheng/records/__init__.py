"""Decision records: every decision kept in a real database, tamper-evident and replayable.

- ``record``: the record format ``tongcheng.record/1`` and its canonical JSON;
- ``ids``: record ids that sort by time (ULIDs);
- ``schema`` and ``migrations/``: the tables (SQLAlchemy Core) and their Alembic revisions;
- ``store``: ``RecordStore`` — write, read, filter, seal the Merkle log, purge;
- ``merkle``: RFC 6962 hashing (ported from Certificate Transparency); ``signing``: Ed25519;
- ``verify``: recompute the log and name every record altered, removed or moved;
- ``packs``: rule packs archived by digest; ``replay``: decide records again, vectorised;
- ``writer``: group commit for the HTTP service; ``cli``: the ``records`` and ``replay`` commands.

Nothing here is imported by ``import tongcheng``: SQLAlchemy loads when a store is opened
(``pip install 'tongcheng[records]'``).
"""
