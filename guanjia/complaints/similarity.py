"""Likely incidents for a new complaint (C12): same project, same building or facility, close in time,
similar words. Pure functions over small value objects, so the scoring is tested without a database; the
selector (``selectors.incident_suggestions``) loads the candidates of the project in one query.

Chinese has no spaces, so text is segmented with jieba (its dictionary ships inside the package: nothing is
downloaded) and, to catch words jieba splits differently, character bigrams are added.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

_jieba_lock = threading.Lock()
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
#: Words that say nothing about which event a complaint is about.
STOPWORDS = frozenset(
    "的 了 是 在 我 我们 你们 他们 就 都 也 很 太 还 又 有 没 没有 不 人 一个 这个 那个 什么 怎么 为什么 一直 已经 "
    "物业 业主 投诉 反映 问题 请 希望 要求 处理 解决 谢谢 小区 情况 现在 今天 昨天 马上 尽快".split()
)


def _segment(text: str) -> list[str]:
    import jieba

    with _jieba_lock:  # jieba initialises its dictionary lazily and is not thread-safe while doing so
        logging.getLogger("jieba").setLevel(logging.WARNING)
        return list(jieba.lcut_for_search(text))


#: Characters too common to tell two complaints apart.
STOPCHARS = frozenset("的了是在我你他她们就都也很太还又有没不人个这那么什怎为一已经请要求把被给和与及或")


def keywords(text: str) -> frozenset[str]:
    """Words (two or more characters, by jieba) and single Chinese characters of ``text``, without
    punctuation, digits and stopwords. Characters catch what jieba segments differently (困人 / 困在)."""
    clean = _PUNCT.sub(" ", text or "").strip()
    if not clean:
        return frozenset()
    words = {w for w in _segment(clean) if len(w) > 1 and w not in STOPWORDS and not w.isdigit() and w.strip()}
    chars = {c for c in clean if "\u4e00" <= c <= "\u9fff" and c not in STOPCHARS}
    return frozenset(words | chars)


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def text_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Mean of the word overlap and the character overlap, each |a ∩ b| / min(|a|, |b|) so that a short
    complaint can match a long one. In [0, 1]."""
    if not a or not b:
        return 0.0
    words = _overlap({w for w in a if len(w) > 1}, {w for w in b if len(w) > 1})
    chars = _overlap({w for w in a if len(w) == 1}, {w for w in b if len(w) == 1})
    return (words + chars) / 2


@dataclass(frozen=True)
class Features:
    """What is compared: where (building, free-text location), when, and the words used."""

    building_id: int | None
    location: str
    at: datetime
    words: frozenset[str]


@dataclass(frozen=True)
class Match:
    score: float
    reasons: tuple[str, ...]


#: Complaints further apart than this are not the same event.
WINDOW = timedelta(hours=72)


def match(new: Features, candidate: Features, *, window: timedelta = WINDOW) -> Match:
    """Score in [0, 1]: 0 when too far apart in time; otherwise place, time and words weighed together."""
    gap = abs(new.at - candidate.at)
    if gap > window:
        return Match(0.0, ())
    reasons: list[str] = []
    place = 0.0
    if new.building_id and new.building_id == candidate.building_id:
        place = 1.0
        reasons.append("同一楼栋")
    loc_sim = text_similarity(keywords(new.location), keywords(candidate.location))
    if loc_sim >= 0.5:
        place = max(place, loc_sim)
        reasons.append("地点相近")
    closeness = 1.0 - gap / window
    if gap <= timedelta(hours=6):
        reasons.append("时间相近")
    words = text_similarity(new.words, candidate.words)
    if words >= 0.25:
        reasons.append("内容相似")
    score = 0.5 * words + 0.3 * place + 0.2 * closeness
    return Match(round(score, 3), tuple(reasons))
