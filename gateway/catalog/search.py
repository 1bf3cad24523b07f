"""Search terms for catalogue entries: Chinese bigrams and Latin words.

Chinese has no spaces, so a CJK run is indexed as its overlapping character bigrams (the
classic approach of CJK full-text indexes); Latin text as lower-cased words. A query must
contain every term of its own text, and is then confirmed as a substring, so "不动产" finds
"不动产登记信息查询" and not an entry that merely has "不动" and "动产" apart.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]{2,}")
MAX_TERM = 32


def terms(text: str) -> set[str]:
    lowered = text.lower()
    found: set[str] = set()
    for run in _CJK.findall(lowered):
        if len(run) == 1:
            continue
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    found.update(word[:MAX_TERM] for word in _WORD.findall(lowered))
    return found


def normalise(text: str) -> str:
    return " ".join(text.lower().split())
