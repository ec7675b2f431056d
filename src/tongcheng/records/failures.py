"""What goes wrong with a record store, said in both languages: a store that cannot be opened
or used (``StoreError``), one that is there but cannot be read (``UnreadableStore``: not a
database, a damaged file), and a database that is another application's (never made a store
beside its tables)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tongcheng.errors import TongchengError, Worded


class StoreError(Worded, TongchengError):
    """A store that cannot be opened or used (bad URL, unreachable server, foreign schema),
    said in both languages (the records commands speak the asked one)."""


class UnreadableStore(StoreError):
    """The store is there but cannot be read: not a database, a damaged file, a server that
    refuses (``records verify``: a store it cannot read is not verified)."""


# What a store raises when its file or server fails under it, opened or while read
FAILURES = (sa.exc.DatabaseError, UnicodeDecodeError)


# SQLite's words for a file it cannot use, in Chinese (others are quoted as the database says)
_SQLITE_ZH = {
    "file is not a database": "该文件不是数据库",
    "database disk image is malformed": "数据库文件已损坏",
    "unable to open database file": "无法打开数据库文件",
    "database is locked": "数据库被其他进程锁定",
    "attempt to write a readonly database": "数据库只读,无法写入",
    "disk I/O error": "磁盘读写错误",
}


def unreadable(url: str, error: Exception) -> UnreadableStore:
    """The store cannot be opened or read: not a database, a damaged file, a server that
    refuses; in the database's own words."""
    if isinstance(error, UnicodeDecodeError):
        why, zh = "the file is damaged: it is not a database SQLite can read", \
            "文件已损坏:SQLite 无法读取"
    else:
        orig = getattr(error, "orig", None) or error
        why = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        zh = _SQLITE_ZH.get(why) or f"数据库报告:{why}"
    return UnreadableStore(f"{url}: cannot open or read the record store ({why})",
                           f"{url}:无法打开或读取决定记录库({zh})")


def refuse_foreign(engine: Engine, url: str) -> None:
    """A database without a record store's schema is made one only if it holds nothing: the
    store never adds its tables beside another application's."""
    tables = sorted(sa.inspect(engine).get_table_names())
    if tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreError(f"{url}: not a record store: the database holds other tables "
                         f"({shown}); give a new file or an empty database",
                         f"{url}:不是决定记录库:该数据库含有其他表({shown});"
                         "请给出新文件或空数据库")
