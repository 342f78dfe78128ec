"""Structured logs: one JSON object per line outside dev mode, carrying the request id."""

from __future__ import annotations

import json
import logging

from backend.logs import JsonFormatter, configure_logging, request_id_var


def test_json_lines_carry_the_request_id_and_extras(capsys: object) -> None:
    configure_logging(level="INFO", fmt="json")
    token = request_id_var.set("req-abc-123")
    try:
        logging.getLogger("jobready.test").info("签到成功", extra={"session_id": 7})
    finally:
        request_id_var.reset(token)
    line = capsys.readouterr().err.strip().splitlines()[-1]  # type: ignore[attr-defined]
    entry = json.loads(line)
    assert entry["message"] == "签到成功"
    assert entry["request_id"] == "req-abc-123"
    assert entry["session_id"] == 7
    assert entry["level"] == "INFO" and entry["logger"] == "jobready.test"


def test_exceptions_are_logged_as_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
        import sys

        record.exc_info = sys.exc_info()
    text = JsonFormatter().format(record)
    assert "\n" not in text
    assert "ValueError: boom" in json.loads(text)["exc"]
