"""File-based connectors: a tool's CSV/XLSX/JSONL export through a YAML mapping, and process-mining logs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pytest

from connectors.files import FilesConnector
from connectors.framework import ConnectorError, run_connector
from connectors.process_log import ProcessLogConnector

DATA = Path(__file__).parent / "data"

MAPPING = """
entity: requests
timezone: Asia/Shanghai
timestamp_format: "%Y/%m/%d %H:%M"
columns:
  request_id: 工单号
  opened_at: 创建时间
  resolved_at: 解决时间
  status: 状态
  priority: {column: 优先级}
  subject: 标题
constants: {channel: wecom}
values:
  status: {处理中: in_progress, 已解决: resolved, 待反馈: waiting_on_requester}
  priority: {高: P2, 中: P3, 低: P4}
"""

ROWS = [["工单号", "创建时间", "解决时间", "状态", "优先级", "标题"],
        ["T-1", "2026/03/02 09:00", "2026/03/02 11:30", "已解决", "高", "电脑蓝屏"],
        ["T-2", "2026/03/02 10:00", "", "处理中", "中", "申请会议室"],
        ["T-3", "yesterday", "", "待反馈", "低", "密码重置"],
        ["T-1", "2026/03/02 09:00", "2026/03/02 11:30", "已解决", "高", "电脑蓝屏"]]


def _write_csv(path: Path) -> Path:
    path.write_text("\n".join(",".join(r) for r in ROWS) + "\n", encoding="utf-8")
    return path


def _write_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    for r in ROWS:
        wb.active.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize("writer", [_write_csv, _write_xlsx], ids=["csv", "xlsx"])
def test_export_with_a_yaml_mapping_lands_typed_and_quarantines_what_does_not_parse(tmp_path, writer):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(MAPPING, encoding="utf-8")
    export = writer(tmp_path / ("export.csv" if writer is _write_csv else "export.xlsx"))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = run_connector(con, FilesConnector, "desk_tool", {"file": str(export), "mapping": str(mapping)})
    t = run.totals()["requests"]
    assert (t["records_in"], t["loaded"], t["quarantined"], t["duplicates"]) == (4, 2, 1, 1)
    rows = con.execute("select request_id, status, priority, channel, timezone, opened_at::varchar, subject "
                       "from raw.requests order by 1").fetchall()
    assert rows == [("T-1", "resolved", "P2", "wecom", "Asia/Shanghai", "2026-03-02 09:00:00", "电脑蓝屏"),
                    ("T-2", "in_progress", "P3", "wecom", "Asia/Shanghai", "2026-03-02 10:00:00", "申请会议室")]
    reason, record = con.execute("select reason, record->>'opened_at' from raw._quarantine").fetchone()
    assert (reason, record) == ("unparseable opened_at", "yesterday")
    kept = con.execute("select payload->>'kept_at', payload->>'sha256' from raw._payloads "
                       "where object_type = 'received_file'").fetchall()
    assert len(kept) == 1 and Path(kept[0][0]).read_bytes() == export.read_bytes()
    # the same export again lands nothing
    again = run_connector(con, FilesConnector, "desk_tool", {"file": str(export), "mapping": str(mapping)})
    assert again.totals()["requests"]["loaded"] == 0


def test_jsonl_with_nested_fields(tmp_path):
    (tmp_path / "m.yml").write_text("entity: requests\ncolumns:\n  request_id: key\n  opened_at: fields.created\n"
                                    "  status: fields.status.name\nvalues:\n  status: {Done: resolved}\n")
    (tmp_path / "x.jsonl").write_text('{"key": "A-1", "fields": {"created": "2026-01-05T08:00:00+08:00", '
                                      '"status": {"name": "Done"}}}\n')
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run_connector(con, FilesConnector, "tool", {"file": str(tmp_path / "x.jsonl"), "mapping": str(tmp_path / "m.yml")})
    assert con.execute("select status, opened_at::varchar from raw.requests").fetchall() == \
        [("resolved", "2026-01-05 00:00:00")]


def test_mapping_errors_are_clear(tmp_path):
    (tmp_path / "m.yml").write_text("entity: requests\ncolumns:\n  request_id: id\n  colour: c\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(ConnectorError, match="requests has no column.*colour"):
        run_connector(con, FilesConnector, "t", {"file": str(tmp_path), "mapping": str(tmp_path / "m.yml")})
    (tmp_path / "m.yml").write_text("entity: requests\ncolumns:\n  request_id: Ticket\n  opened_at: Opened\n")
    _write_csv(tmp_path / "e.csv")
    with pytest.raises(ConnectorError, match="mapped column 'Ticket'.*not in the file"):
        run_connector(con, FilesConnector, "t", {"file": str(tmp_path / "e.csv"), "mapping": str(tmp_path / "m.yml")})


def test_xes_log_cases_become_requests_and_events_steps(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run = run_connector(con, ProcessLogConnector, "procurement",
                        {"file": str(DATA / "purchase.xes"), "end_activities": "Order"})
    assert run.totals()["requests"]["loaded"] == 2
    assert con.execute("select request_id, opened_at::varchar, resolved_at::varchar, status from raw.requests "
                       "order by 1").fetchall() == [
        ("PO-1", "2026-06-01 01:00:00", "2026-06-02 02:00:00", "resolved"),
        ("PO-2", "2026-06-03 01:00:00", None, "in_progress")]
    # Order ran from its own start event (09:00) to complete (10:00), not from Approve
    steps = con.execute("select step, agent_id, created_at::varchar, completed_at::varchar from raw.tasks "
                        "where request_id = 'PO-1' order by seq").fetchall()
    assert steps == [("Submit", "alice", "2026-06-01 01:00:00", "2026-06-01 01:00:00"),
                     ("Approve", "bob", "2026-06-01 01:00:00", "2026-06-01 03:30:00"),
                     ("Order", "carol", "2026-06-02 01:00:00", "2026-06-02 02:00:00")]


def test_csv_log_with_own_column_names(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("Case ID,Activity,Complete Timestamp,Resource\nC1,Register,2026-02-01 08:00:00,ann\n"
                   "C1,Close,2026-02-01 09:15:00,ben\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run_connector(con, ProcessLogConnector, "pm", {"file": str(log), "case_column": "Case ID",
                                                   "activity_column": "Activity", "resource_column": "Resource",
                                                   "timestamp_column": "Complete Timestamp"})
    assert con.execute("select (resolved_at - opened_at)::varchar from raw.requests").fetchone()[0] == "01:15:00"
