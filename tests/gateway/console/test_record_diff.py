"""Field-level differences between record versions (历史变化)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.console.record_diff import (
    ADDED,
    CHANGED,
    REMOVED,
    diff,
    flatten,
    side_by_side,
    version_fields,
)


@dataclass
class Version:
    content: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    record_type: str = "register"
    data_source: str = "不动产登记系统"
    organisation: str = "NRD"
    uploader: str = "NRD/registrar"
    deleted: bool = False


def test_nested_content_flattens_to_paths() -> None:
    leaves = flatten({"权利人": [{"姓名": "张三"}, {"姓名": "李四"}], "面积": 89.5, "附": {}}, "c")
    assert leaves == {
        "c.权利人[0].姓名": "张三",
        "c.权利人[1].姓名": "李四",
        "c.面积": "89.5",
        "c.附": "{}",
    }
    assert flatten("纯文本", "content") == {"content": "纯文本"}


def test_only_the_fields_that_changed_are_reported() -> None:
    first = version_fields(Version({"权利人": "张三", "面积": 89.5}, {"批次": "1"}))
    second = version_fields(Version({"权利人": "李四", "面积": 89.5, "抵押": True}))
    changes = {c.path: c for c in diff(first, second)}
    assert set(changes) == {"content.权利人", "content.抵押", "metadata.批次"}
    assert (changes["content.权利人"].kind, changes["content.权利人"].before) == (CHANGED, "张三")
    assert (changes["content.抵押"].kind, changes["content.抵押"].after) == (ADDED, "true")
    assert changes["metadata.批次"].kind == REMOVED
    assert diff(None, second) == []
    assert diff(second, second) == []


def test_a_tombstone_drops_the_content_and_a_fact_change_shows() -> None:
    live = version_fields(Version({"a": 1}))
    gone = version_fields(Version(None, {"reason": "撤销"}, uploader="GAO/office", deleted=True))
    kinds = {c.path: c.kind for c in diff(live, gone)}
    assert kinds == {"content.a": REMOVED, "metadata.reason": ADDED, "uploader": CHANGED}


def test_side_by_side_rows_cover_every_version() -> None:
    paths, rows = side_by_side([Version({"a": 1}), Version({"a": 2, "b": 3})])
    table = dict(zip(paths, rows, strict=True))
    assert table["content.a"] == ["1", "2"]
    assert table["content.b"] == [None, "3"]
    assert paths.index("uploader") < paths.index("content.a")
