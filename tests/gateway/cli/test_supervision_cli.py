"""``alliance supervision`` as the office and a department use it, on the seeded chain."""

from __future__ import annotations

import json

from gateway.settings import Settings

from .test_members_cli import ok, run


def test_a_case_opened_by_hand_goes_round_the_loop(seeded_settings: Settings) -> None:
    opened = ok(seeded_settings, "supervision", "open", "--department", "HUD", "--title", "抽查")
    case_id = opened["case_id"]
    assert (opened["source"], opened["status"]) == ("hand", "open")
    refused = run(seeded_settings, "supervision", "report", case_id, "--as", "HUD")
    assert refused.returncode == 1
    assert "case_transition_refused" in refused.stderr
    ok(seeded_settings, "supervision", "order", case_id, "--note", "请整改", "--due", "2099-01-01")
    ok(seeded_settings, "supervision", "rectify", case_id, "--as", "HUD")
    ok(seeded_settings, "supervision", "report", case_id, "--as", "HUD", "--note", "已整改")
    ok(seeded_settings, "supervision", "accept", case_id)
    shown = ok(seeded_settings, "supervision", "show", case_id, "--verify")
    assert shown["status"] == "accepted" and shown["verification"]["ok"] is True
    assert [c["case_id"] for c in ok(seeded_settings, "supervision", "list")] == [case_id]
    assert len(ok(seeded_settings, "supervision", "rules")) == 6


def test_the_export_verifies(seeded_settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ok(seeded_settings, "supervision", "open", "--department", "TAX", "--title", "抽查")
    out = tmp_path / "cases.xlsx"
    ok(seeded_settings, "supervision", "export", "--out", str(out))
    report = ok(seeded_settings, "supervision", "verify-export", str(out))
    assert (report["ok"], report["cases"], report["transitions"]) == (True, 1, 1)
    assert json.loads(run(seeded_settings, "supervision", "rules").stdout)[0]["enabled"] is True
