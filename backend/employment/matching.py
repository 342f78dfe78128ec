"""Matching a job-seeking profile to postings: hard filters, a score, reasons in Chinese.

Pure functions over a `JobIndex` (see docs/matching.md for the model and its evaluation):

1. Hard filters: the posting is active and not expired, in one of the wanted districts (none
   wanted = anywhere), asks for no more education than the trainee has, and its top salary
   reaches the trainee's floor (negotiable pay passes).
2. Score in [0, 1] = 0.45 occupation + 0.30 text + 0.15 salary + 0.10 recency:
   - occupation: the best relation between the posting's code and a wanted code, by the
     deepest level they share: occupation 1.0, minor group 0.7, medium group 0.45, major 0.2;
   - text: BM25 of the profile's words (intention, skills, major, wanted occupations) over
     the posting's jieba terms, divided by the query's ideal score, capped at 1; words found in
     more than a tenth of all postings are too common to tell postings apart and are ignored;
   - salary: 0.5 when the middle of the range equals the floor, 1.0 at 1.5× the floor (no
     floor: the middle of the range against 10,000 yuan); negotiable pay scores 0.3;
   - recency: exp(−age in days ÷ 10).

`top_matches` returns the same ranking as scoring every posting (`rank_all`, kept as the
reference the tests compare against) but reads only what can still enter the top k: postings
sharing a word with the profile, then occupation buckets from the closest level down, stopping
when no remaining posting could beat the k-th score.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass

from backend.employment.index import JobIndex
from backend.occupations import (
    EDUCATION_LABELS,
    Education,
    code_levels,
    code_name,
    education_requirement,
    salary_text,
)

W_OCCUPATION = 0.45
W_TEXT = 0.30
W_SALARY = 0.15
W_RECENCY = 0.10
LEVEL_SCORES = (0.0, 0.2, 0.45, 0.7, 1.0)  # by the number of code levels shared
RECENCY_DAYS = 10.0
COMMON_TERM_SHARE = 0.1
NEGOTIABLE_FIT = 0.3
REFERENCE_SALARY = 10_000
DAY = 86_400.0
REST = W_SALARY + W_RECENCY  # the most pay and recency can add


@dataclass(frozen=True)
class MatchProfile:
    """A profile as matching sees it."""

    occupations: tuple[str, ...] = ()
    districts: frozenset[str] = frozenset()
    salary_floor: int | None = None
    education_rank: int | None = None
    terms: tuple[str, ...] = ()
    exclude: frozenset[int] = frozenset()  # posting ids not to return (e.g. already pushed)


@dataclass(frozen=True)
class Match:
    """One ranked posting with the parts of its score."""

    posting_id: int
    score: float
    occupation: float
    text: float
    salary: float
    recency: float
    published: float


def shared_levels(code: str, wanted: str) -> int:
    """How many leading levels two codes share (0-4)."""
    shared = 0
    for mine, theirs in zip(code.split("-"), wanted.split("-"), strict=False):
        if mine != theirs:
            break
        shared += 1
    return shared


def occupation_score(code: str, wanted: Iterable[str]) -> float:
    """The best level score of a posting's code against the wanted codes."""
    return max((LEVEL_SCORES[shared_levels(code, w)] for w in wanted), default=0.0)


def salary_fit(low: int, high: int, floor: int | None) -> float:
    """How well a salary range meets the floor, in [0, 1]."""
    if high <= 0:
        return NEGOTIABLE_FIT
    middle = (low + high) / 2
    if not floor:
        return min(1.0, middle / REFERENCE_SALARY)
    return max(0.0, min(1.0, 0.5 + (middle - floor) / floor))


def recency(published: float, now: float) -> float:
    """exp(−age in days ÷ 10); a future date counts as today."""
    return math.exp(-max(0.0, now - published) / DAY / RECENCY_DAYS)


Entry = tuple[float, float, int, int, float, float, float, float]  # heap entry, see _Scorer


class _Scorer:
    """A profile prepared against one index at one moment, and the best k entries so far.

    The scoring loop is written out once, with everything in local variables: it runs for
    every candidate of every trainee, so it avoids calls and objects until a posting can enter
    the top k. Heap entries are (score, published, -posting id, slot, occupation, text, salary,
    recency), so ties go to the newer posting, then the lower id.
    """

    def __init__(self, index: JobIndex, profile: MatchProfile, now: float, k: int) -> None:
        self.index, self.profile, self.now, self.k = index, profile, now, k
        wanted = profile.occupations
        self.code_score = {c: occupation_score(c, wanted) for c in index.codes}
        live = max(1, index.live)
        self.weights: dict[str, float] = {}
        for term in index.known_terms(profile.terms):
            df = index.df.get(term, 0)
            if 0 < df <= COMMON_TERM_SHARE * live:
                self.weights[term] = index.idf(term)
        self.ideal = sum(self.weights.values())
        self.heap: list[Entry] = []

    def text_scores(self) -> dict[int, float]:
        """BM25 sums of every posting sharing a word with the profile (district lists first)."""
        scores: dict[int, float] = {}
        get = scores.get
        for term, idf in self.weights.items():
            for plist in self.index.term_lists(term, self.profile.districts):
                for slot, weight in zip(plist.slots, plist.weights, strict=True):
                    scores[slot] = get(slot, 0.0) + idf * weight
        return scores

    def scan(
        self,
        slots: Iterable[int],
        bm25: dict[int, float] | None,
        seen: set[int] | None,
        base: float | None = None,
    ) -> None:
        """Score the postings in `slots` that pass the hard filters; keep the best k.

        With `base` (the most occupation, text and salary can add to any of them), `slots` are
        newest first: reading stops once even a perfect salary could not lift the next posting
        into the top k.
        """
        ix, p, heap, k = self.index, self.profile, self.heap, self.k
        alive, expires, pids, district = ix.alive, ix.expires, ix.posting_id, ix.district
        edu, lows, highs, published, codes = (
            ix.edu_rank,
            ix.salary_min,
            ix.salary_max,
            ix.published,
            ix.code,
        )
        dset, rank, floor, exclude, now = (
            p.districts,
            p.education_rank,
            p.salary_floor,
            p.exclude,
            self.now,
        )
        code_score, ideal, exp = self.code_score, self.ideal, math.exp
        decay = 1.0 / (DAY * RECENCY_DAYS)
        bound = heap[0] if len(heap) >= k else None
        oldest = self._oldest(bound, base)
        for slot in slots:
            if published[slot] < oldest:
                break
            if seen is not None:
                if slot in seen:
                    continue
                seen.add(slot)
            occupation = code_score.get(codes[slot], 0.0)
            text = 0.0
            if bm25 is not None and ideal:
                text = min(1.0, bm25.get(slot, 0.0) / ideal)
            known = W_OCCUPATION * occupation + W_TEXT * text
            if bound is not None and known + REST < bound[0]:
                continue  # even perfect pay and a posting of today could not enter
            if not alive[slot] or expires[slot] <= now:
                continue
            if (dset and district[slot] not in dset) or (rank is not None and edu[slot] > rank):
                continue
            high = highs[slot]
            if floor and high and high < floor:
                continue
            pid = pids[slot]
            if exclude and pid in exclude:
                continue
            if high <= 0:
                salary = NEGOTIABLE_FIT
            elif floor:
                salary = max(0.0, min(1.0, 0.5 + ((lows[slot] + high) / 2 - floor) / floor))
            else:
                salary = min(1.0, (lows[slot] + high) / 2 / REFERENCE_SALARY)
            age = now - published[slot]
            fresh = exp(-age * decay) if age > 0 else 1.0
            score = (
                W_OCCUPATION * occupation + W_TEXT * text + W_SALARY * salary + W_RECENCY * fresh
            )
            entry = (score, published[slot], -pid, slot, occupation, text, salary, fresh)
            if bound is None:
                heapq.heappush(heap, entry)
                if len(heap) >= k:
                    bound = heap[0]
                    oldest = self._oldest(bound, base)
            elif entry > bound:
                heapq.heapreplace(heap, entry)
                bound = heap[0]
                oldest = self._oldest(bound, base)

    def _oldest(self, bound: Entry | None, base: float | None) -> float:
        """The publication time before which a posting scoring `base` + recency cannot beat
        `bound` (−inf: no such time, read everything)."""
        if bound is None or base is None:
            return -math.inf
        room = (bound[0] - base) / W_RECENCY - 1e-9
        if room >= 1.0:
            return math.inf
        if room <= 0.0:
            return -math.inf
        return self.now + math.log(room) * DAY * RECENCY_DAYS

    def beats(self, ceiling: float) -> bool:
        """True when the top k is full and no posting scoring at most `ceiling` can enter."""
        return len(self.heap) >= self.k and self.heap[0][0] > ceiling

    def ranked(self) -> list[Match]:
        """The kept entries as matches, best first."""
        return [
            Match(-e[2], e[0], e[4], e[5], e[6], e[7], e[1])
            for e in sorted(self.heap, reverse=True)
        ]


def top_matches(index: JobIndex, profile: MatchProfile, *, now: float, k: int = 20) -> list[Match]:
    """The k best postings for a profile, best first (the same as `rank_all(...)[:k]`).

    Reading order: the closest occupation level (with words); then, unless no posting outside
    the wanted occupations could still enter, every posting sharing a word; then the other
    levels from the closest down; for sparse profiles, the rest of the wanted districts. Each
    group is read newest first, and a group, a level or the whole search stops as soon as
    nothing left in it could beat the k-th score.
    """
    index.prepare()
    scorer = _Scorer(index, profile, now, k)
    seen: set[int] = set()
    bm25 = scorer.text_scores()
    best = min(1.0, max(bm25.values(), default=0.0) / scorer.ideal) if scorer.ideal else 0.0
    text_ceiling = W_TEXT * best  # the most any posting's words can add
    levels = sorted({s for s in scorer.code_score.values() if s > 0}, reverse=True)
    districts = list(profile.districts or index.districts.keys())
    if levels:
        _scan_level(scorer, levels[0], districts, seen, bm25, text_ceiling)
    if scorer.beats(REST + text_ceiling):
        # Nothing outside the wanted occupations can enter, whatever its words: the remaining
        # candidates are in the occupation buckets, read with their words.
        _scan_levels(scorer, levels[1:], districts, seen, bm25, text_ceiling)
        return scorer.ranked()
    scorer.scan(bm25.keys(), bm25, seen)  # every word-sharing posting is scored now
    _scan_levels(scorer, levels[1:], districts, seen, None, 0.0)
    if not scorer.beats(REST):  # a sparse profile: every other posting of the districts
        for district in districts:
            scorer.scan(index.by_district.get(district, ()), None, seen, W_SALARY)
    return scorer.ranked()


def _scan_levels(
    scorer: _Scorer,
    levels: list[float],
    districts: list[str],
    seen: set[int],
    bm25: dict[int, float] | None,
    text_ceiling: float,
) -> None:
    """Read occupation levels, closest first, until none left could beat the k-th score."""
    for level in levels:
        if scorer.beats(W_OCCUPATION * level + REST + text_ceiling):
            return
        _scan_level(scorer, level, districts, seen, bm25, text_ceiling)


def _scan_level(
    scorer: _Scorer,
    level: float,
    districts: list[str],
    seen: set[int],
    bm25: dict[int, float] | None,
    text_ceiling: float,
) -> None:
    """Score the occupation buckets of one level, newest first, each stopping once even the
    best text (`text_ceiling`) and pay could not lift the next, older posting into the top k."""
    codes = [c for c, s in scorer.code_score.items() if s == level]
    base = W_OCCUPATION * level + W_SALARY + text_ceiling
    by_code = scorer.index.by_code
    for district in districts:
        for code in codes:
            scorer.scan(by_code.get((district, code), ()), bm25, seen, base)


def rank_all(index: JobIndex, profile: MatchProfile, *, now: float) -> list[Match]:
    """Every posting passing the hard filters, scored and ranked (the reference ranking)."""
    scorer = _Scorer(index, profile, now, k=max(1, index.slots))
    scorer.scan(range(index.slots), scorer.text_scores(), None)
    return scorer.ranked()


# -- reasons ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostingFacts:
    """What a reason may mention about a posting."""

    occupation_code: str
    occupation_name: str
    district_name: str
    salary_min: int
    salary_max: int
    education: Education
    terms: frozenset[str]
    age_days: float


@dataclass(frozen=True)
class SeekerFacts:
    """What a reason may mention about the trainee's wishes."""

    occupations: tuple[str, ...]
    districts: frozenset[str]
    salary_floor: int | None
    education: Education | None
    terms: tuple[str, ...]


def _occupation_reason(facts: PostingFacts, seeker: SeekerFacts) -> str | None:
    best = max(
        seeker.occupations, key=lambda w: shared_levels(facts.occupation_code, w), default=""
    )
    shared = shared_levels(facts.occupation_code, best) if best else 0
    wanted = code_name(best)
    if shared == 4:
        return f"您期望的岗位类别「{wanted}」与该岗位一致"
    if best and shared == len(best.split("-")):
        return f"该岗位属于您期望的岗位类别「{wanted}」"
    if shared >= 2:
        group = code_name(code_levels(facts.occupation_code)[shared - 1])
        return f"该岗位（{facts.occupation_name}）与您期望的「{wanted}」同属「{group}」"
    if shared == 1:
        return f"该岗位属于您期望的职业大类「{code_name(best.split('-')[0])}」"
    return None


def _salary_reason(facts: PostingFacts, seeker: SeekerFacts) -> str | None:
    pay = salary_text(facts.salary_min, facts.salary_max)
    floor = seeker.salary_floor
    if not floor or facts.salary_max <= 0:
        return None
    if facts.salary_min >= floor:
        return f"薪资高于您的期望（{pay}，您的期望为{floor}元/月）"
    if facts.salary_max >= floor:
        return f"薪资可达到您的期望（{pay}）"
    return None


def reasons(facts: PostingFacts, seeker: SeekerFacts, *, limit: int = 4) -> list[str]:
    """Why a posting was recommended, in Chinese, the strongest first."""
    found: list[str | None] = [_occupation_reason(facts, seeker)]
    matched = [t for t in seeker.terms if t in facts.terms][:3]
    if matched:
        found.append(f"岗位信息提到您关注的：{'、'.join(matched)}")
    found.append(_salary_reason(facts, seeker))
    if seeker.districts:
        found.append(f"工作地点在您选择的{facts.district_name}")
    if seeker.education is not None and facts.education is not Education.NONE:
        requirement = education_requirement(facts.education)
        found.append(f"学历要求{requirement}，您的学历（{EDUCATION_LABELS[seeker.education]}）符合")
    if facts.age_days <= 3:
        found.append("3天内新发布的岗位")
    return [text for text in found if text][:limit]
