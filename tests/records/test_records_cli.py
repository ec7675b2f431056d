"""The ``tongcheng records`` commands and ``check --records`` as a caseworker's script uses
them: exit codes, messages in both languages, nothing revealed from a store that is not there."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
from click.testing import CliRunner
from recordtools import sql

from tongcheng.cli import main
from tongcheng.records.store import RecordStore

EXAMPLE = "examples/recognition-yantai-qingdao.yaml"
RECOGNITION = "medical_insurance.contribution_years_recognition"


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_check_records_then_list_show_export_verify_purge(tmp_path):
    from pathlib import Path

    example = str(Path(__file__).resolve().parents[2] / EXAMPLE)
    db = str(tmp_path / "r.db")
    key = str(tmp_path / "key.pem")
    made = _run("records", "keygen", key, "--lang", "en")
    assert made.exit_code == 0 and "public key" in made.output
    assert _run("records", "keygen", key).exit_code == 2  # never overwritten
    nowhere = str(tmp_path / "no" / "such" / "key.pem")  # said, not a traceback
    refused = _run("records", "keygen", nowhere)
    assert refused.exit_code == 2 and f"错误: {nowhere}:无法写入" in refused.stderr
    first = _run("check", example, "--records", db, "--actor", "cw-7", "--format", "json")
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, ["check", example, "--records", db, "--lang", "en",
                                       "--rule", RECOGNITION],
                                env={"TONGCHENG_RECORDS_KEY": key})
    assert second.exit_code == 0
    ids = [line.split(":", 1)[1].strip() for line in (first.stderr + second.stderr).splitlines()
           if line.startswith(("已记录", "recorded"))]
    assert len(ids) == 2
    listed = _run("records", "list", "--records", db, "--actor", "cw-7", "--format", "json")
    assert [r["id"] for r in json.loads(listed.output)] == ids[:1]
    table = _run("records", "list", "--records", db, "--rule", RECOGNITION, "--status",
                 "eligible")
    assert table.exit_code == 0 and ids[1] in table.output and "符合" in table.output
    shown = json.loads(_run("records", "show", ids[1], "--records", db).output)
    assert shown["rules"] == [RECOGNITION] and shown["lang"] == "en"
    assert [d["rule"] for d in shown["decisions"]] == [RECOGNITION]
    text = _run("records", "show", ids[0], "--records", db, "--format", "table", "--lang", "en")
    assert "recognized_months" in text.output and "cw-7" in text.output
    assert _run("records", "show", "01M95F408HFXCWC01GFV6G9ETY", "--records", db).exit_code == 2
    out = tmp_path / "r.parquet"
    assert _run("records", "export", "--records", db, "-o", str(out)).exit_code == 0
    assert pq.read_table(out).num_rows == 2
    jsonl = _run("records", "export", "--records", db, "-o", "-")
    assert [json.loads(x)["id"] for x in jsonl.stdout.splitlines()] == ids
    ok = _run("records", "verify", "--records", db, "--lang", "en")
    assert ok.exit_code == 0 and "the log is intact: 2 records" in ok.output
    store = RecordStore.open(db)
    sql(store, "UPDATE records SET body = replace(body, '305', '306') WHERE id = :i", i=ids[0])
    store.close()
    bad = _run("records", "verify", "--records", db)
    assert bad.exit_code == 1 and ids[0] in bad.output and "被改动" in bad.output
    report = json.loads(_run("records", "verify", "--records", db, "--format", "json").output)
    assert report["findings"][0]["record"] == ids[0] and not report["ok"]
    from datetime import UTC, datetime

    now = datetime.now(UTC).isoformat()  # every record made before this moment
    purged = _run("records", "purge", "--records", db, "--before", now, "--lang", "en")
    assert purged.exit_code == 0 and "removed 2 records" in purged.output
    assert _run("records", "list", "--records", db, "--format", "json").output.strip() == "[]"


def test_a_store_that_is_not_there_or_a_bad_date_is_a_clear_error(tmp_path):
    missing = _run("records", "list", "--records", str(tmp_path / "none.db"))
    assert missing.exit_code == 2 and "那里没有决定记录库" in missing.output
    assert missing.output.startswith("错误: ") and "record store" not in missing.output
    missing = _run("records", "list", "--records", str(tmp_path / "none.db"), "--lang", "en")
    assert missing.exit_code == 2 and "no record store there" in missing.output
    assert not (tmp_path / "none.db").exists()  # nothing created by looking
    bad = _run("records", "list", "--records", str(tmp_path / "x.db"), "--since", "2025-13-01")
    assert bad.exit_code == 2 and "应为日历上真实存在的日期" in bad.output
    assert "没有 13 月" in bad.output
    bad = _run("records", "list", "--records", str(tmp_path / "x.db"), "--since", "2026-02-30",
               "--lang", "en")
    assert bad.exit_code == 2 and "expected a real calendar date" in bad.output
    bad = _run("records", "list", "--records", str(tmp_path / "x.db"), "--since", "last week")
    assert bad.exit_code == 2 and "应为日期(YYYY-MM-DD)或日期时间" in bad.output
    url = _run("records", "verify", "--records", "mysql://somewhere/db")
    assert url.exit_code == 2 and "不支持的数据库" in url.output
    url = _run("records", "verify", "--records", "mysql://somewhere/db", "--lang", "en")
    assert url.exit_code == 2 and "unsupported database" in url.output
    no_url = CliRunner().invoke(main, ["records", "list"], env={"TONGCHENG_RECORDS": ""})
    assert no_url.exit_code == 2 and "--records" in no_url.output


def test_a_purge_before_a_date_to_come_is_refused_and_removes_nothing(tmp_path):
    """A mistyped year (``--before 9999-12-31``) would have removed every record."""
    store = str(tmp_path / "r.db")
    assert _run("check", EXAMPLE, "--records", store).exit_code == 0
    for lang, words in (("zh", "在将来:清除将删除所有记录"), ("en", "is in the future")):
        refused = _run("records", "purge", "--records", store, "--before", "9999-12-31",
                       "--lang", lang)
        assert refused.exit_code == 2 and words in refused.output, refused.output
    listed = _run("records", "list", "--records", store, "--format", "json")
    assert listed.exit_code == 0 and len(json.loads(listed.output)) == 1
    done = _run("records", "purge", "--records", store, "--before", "2000-01-01")
    assert done.exit_code == 0, done.output
