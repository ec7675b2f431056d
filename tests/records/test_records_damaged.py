"""A store that is no store, or a damaged one, is said so on every face that opens it — exit 2
naming the store, ``records verify`` exit 1 (a store it cannot read is not verified) — in the
command's language, never with a traceback; and a database of another application is never
made a store behind its back (no table of ours added beside its own)."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from recordtools import YANTAI_QINGDAO, fill

from tongcheng.cli import main
from tongcheng.records.store import RecordStore, StoreError, engine_url

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "recognition-yantai-qingdao.yaml")
PAGE = 4096


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input="")
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stderr


def _faces(url: str, tmp_path: Path) -> dict[str, tuple[str, ...]]:
    """Every command that opens a store, reading it (``records ...``, ``replay``) or writing it
    (``check --records``, ``watch --store``)."""
    return {
        "list": ("records", "list", "--records", url),
        "show": ("records", "show", "01M0000000000000000000000A", "--records", url),
        "export": ("records", "export", "--records", url, "-o", str(tmp_path / "out.jsonl")),
        "seal": ("records", "seal", "--records", url),
        "purge": ("records", "purge", "--records", url, "--before", "2020-01-01"),
        "replay": ("replay", "--records", url),
        "check": ("check", EXAMPLE, "--records", url),
        "watch": ("watch", "-", "--store", url),
    }


def _not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are somebody's notes, not a database\n" * 200)
    return path


def _damaged(tmp_path: Path) -> Path:
    """A real store whose records table's pages are overwritten (the file's first pages, with
    the schema and the migration's revision, intact): it opens, and fails when read."""
    path = tmp_path / "damaged.db"
    with RecordStore.open(str(path)) as store:
        fill(store, [YANTAI_QINGDAO] * 40)
        store.seal()
    _overwrite_records(path)
    return path


def _overwrite_records(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = [p for (p,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'records'")]
    assert pages and min(pages) > 2
    data = bytearray(path.read_bytes())
    for page in pages:
        data[(page - 1) * PAGE + 8:page * PAGE] = b"A" * (PAGE - 8)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("make, zh, en", [
    (_not_a_database, "该文件不是数据库", "file is not a database"),
])
def test_a_file_that_is_no_database_is_named_on_every_face(tmp_path, make, zh, en):
    path = make(tmp_path)
    before = path.read_bytes()
    for face, args in _faces(str(path), tmp_path).items():
        code, said = _run(*args)
        assert code == 2, (face, said)
        assert f"错误: {path}:无法打开或读取决定记录库({zh})" in said, (face, said)
        code, said = _run(*args, "--lang", "en")
        assert code == 2 and f"error: {path}: cannot open or read the record store ({en})" \
            in said, (face, said)
    code, said = _run("records", "verify", "--records", str(path))
    assert code == 1 and said.startswith(f"错误: 核验未通过:{path}:无法打开或读取决定记录库"), said
    assert path.read_bytes() == before  # (left as it was found)


def test_a_damaged_store_opens_and_is_said_damaged_when_read(tmp_path):
    path = _damaged(tmp_path)
    for face in ("list", "export", "replay"):
        code, said = _run(*_faces(str(path), tmp_path)[face])
        assert code == 2 and "无法打开或读取决定记录库(数据库文件已损坏)" in said, (face, said)
        assert not re.search(r"[A-Za-z]{4,}", said.replace(str(path), "")), said
    code, said = _run("records", "verify", "--records", str(path), "--lang", "en")
    assert code == 1, said
    assert said == (f"error: not verified: {path}: cannot open or read the record store "
                    "(database disk image is malformed)\n")


def test_a_store_is_never_made_beside_another_applications_tables(tmp_path):
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    code, said = _run("check", EXAMPLE, "--records", str(other))
    assert code == 2
    assert f"{other}:不是决定记录库:该数据库含有其他表(invoices);请给出新文件或空数据库" in said
    with sqlite3.connect(other) as conn:  # nothing of ours was added
        assert [n for (n,) in conn.execute("SELECT name FROM sqlite_master")] == ["invoices"]
    # its own migrations' table (alembic_version, another revision) is no store of ours either
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('0a1b2c3d4e5f')")
    with pytest.raises(StoreError, match="not a record store: the database holds other "
                                         r"tables \(alembic_version, invoices\)"):
        RecordStore.open(str(other))
    # an empty database becomes a store, as before
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    RecordStore.open(str(empty)).close()


def test_on_postgresql_too(postgres):
    url = postgres.new_database()
    engine = sa.create_engine(engine_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE invoices (id integer primary key)"))
    with pytest.raises(StoreError) as refused:
        RecordStore.open(url)
    assert refused.value.describe("zh").endswith(
        ":不是决定记录库:该数据库含有其他表(invoices);请给出新文件或空数据库")
    assert sa.inspect(engine).get_table_names() == ["invoices"]
    engine.dispose()


def test_watch_with_a_store_speaks_the_watchers_language(tmp_path):
    store = str(tmp_path / "cases.db")
    result = CliRunner().invoke(main, ["watch", "-", "--store", store],
                                input='{"subject": "a", "kind": "x"}\n')
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("第 1 行 (a): 未知的键 'kind'")
    assert lines[-1].startswith("已处理至第 1 行(数据流 'default'),用时 ")
    assert lines[-1].endswith(";拒收 1 行")
    result = CliRunner().invoke(main, ["watch", "-", "--store", store, "--lang", "en"],
                                input='{"subject": "a", "kind": "x"}\n{"subject": "b"}\n')
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("watched up to line 2 in ") and "(stream 'default')" in lines[-1]


def test_serve_refuses_a_store_it_cannot_open_before_any_worker_starts(tmp_path, monkeypatch):
    monkeypatch.delenv("TONGCHENG_RECORDS", raising=False)
    path = _not_a_database(tmp_path)
    code, said = _run("serve", "--records", str(path), "--port", "0")
    assert code == 2 and f"错误: {path}:无法打开或读取决定记录库(该文件不是数据库)" in said
    assert "TONGCHENG_RECORDS" not in os.environ  # (the workers' setting: only once it opened)


def test_the_service_answers_503_when_the_store_cannot_be_read(tmp_path):
    from fastapi.testclient import TestClient

    from tongcheng.records.writer import RecordingSettings
    from tongcheng.service.app import create_app

    path = tmp_path / "served.db"
    app = create_app(recording=RecordingSettings(str(path), token="t"))
    with TestClient(app) as client:  # (a server error would be raised here, not answered)
        answer = client.post("/v1/evaluate", json={"situation": YANTAI_QINGDAO})
        record_id = answer.headers["x-record-id"]
        _overwrite_records(path)
        auth = {"authorization": "Bearer t"}
        zh = client.get(f"/v1/records/{record_id}", headers=auth)
        en = client.get(f"/v1/records/{record_id}?lang=en", headers=auth)
        page = client.post("/v1/records/reopen", data={"record": record_id, "token": "t"})
    app.state.recorder.close()  # (its writer thread ends here, not at the interpreter's exit)
    assert page.status_code == 503  # the caseworker page says it on the page, in its words
    assert "决定记录库暂时无法读取" in page.text and "Traceback" not in page.text
    assert (zh.status_code, en.status_code) == (503, 503)
    assert zh.json() == {"problems": [{"path": "record_id", "message":
                                       "决定记录库暂时无法读取;已记入服务日志,请告知本部署的运维人员"}]}
    assert en.json()["problems"][0]["message"].startswith("the record store cannot be read")
