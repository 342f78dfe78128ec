"""The in-memory posting index that search and matching read (pure: no database here).

Each active posting occupies a slot: columns hold what the hard filters and the score need
(district, occupation code, salary, education rank, times), and an inverted index maps every
jieba term to its slots with a precomputed BM25 term weight. Terms found in many postings also
get one list per district, so a trainee who wants two districts reads only those. Postings are
grouped by (district, occupation code) and by district, newest first (`prepare` restores the
order after changes), so matching can stop reading a group once older postings cannot win.

Removal marks the slot dead (lists are not rewritten); the owner rebuilds the index when too
many slots are dead. Posting lists are `array` columns: a 50,000-posting index takes tens of MB.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

K1 = 1.2
B = 0.75
SPLIT_MIN = 512  # a term in at least this many postings also gets a list per district
NEVER = math.inf
ALL = ("*", "*")  # the bucket key of the list of every posting
BucketKey = str | tuple[str, str]  # a district, or (district, occupation code), or ALL


@dataclass(frozen=True)
class IndexedPosting:
    """What the index keeps of a posting."""

    posting_id: int
    district: str
    code: str
    salary_min: int
    salary_max: int
    education_rank: int
    published: float  # epoch seconds
    expires: float  # epoch seconds, inf when open-ended
    terms: dict[str, int]


class PostingList:
    """Slots holding one term, with the term's BM25 weight (without idf) in each."""

    __slots__ = ("slots", "weights")

    def __init__(self) -> None:
        self.slots = array("i")
        self.weights = array("f")

    def add(self, slot: int, weight: float) -> None:
        """Append one entry."""
        self.slots.append(slot)
        self.weights.append(weight)

    def __len__(self) -> int:
        return len(self.slots)


class JobIndex:
    """Columns, inverted lists and occupation buckets of the active postings."""

    def __init__(self, avgdl: float = 0.0) -> None:
        self.posting_id: list[int] = []
        self.alive = bytearray()
        self.district: list[str] = []
        self.code: list[str] = []
        self.salary_min: list[int] = []
        self.salary_max: list[int] = []
        self.edu_rank: list[int] = []
        self.published: list[float] = []
        self.expires: list[float] = []
        self.terms: list[tuple[str, ...]] = []
        self.slot_of: dict[int, int] = {}
        self.lists: dict[str, PostingList] = {}
        self.split: dict[str, dict[str, PostingList]] = {}
        self.df: dict[str, int] = {}
        self.by_code: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_district: dict[str, list[int]] = defaultdict(list)
        self.codes: dict[str, int] = {}  # code → live postings with it
        self.districts: dict[str, int] = {}
        self.avgdl = avgdl
        self.live = 0
        self._total_len = 0
        self._unsorted: set[BucketKey] = set()  # bucket keys appended to since the last sort
        self._newest: list[int] = []  # every live slot, newest posting first

    # -- building -----------------------------------------------------------------------------

    @classmethod
    def build(cls, postings: Iterable[IndexedPosting]) -> JobIndex:
        """A fresh index of these postings (BM25 lengths normalised by their average)."""
        items = list(postings)
        lengths = [sum(p.terms.values()) for p in items]
        index = cls(avgdl=(sum(lengths) / len(lengths)) if items else 0.0)
        for item in items:
            index.add(item)
        index.split_large_lists()
        return index

    def add(self, item: IndexedPosting) -> None:
        """Add or replace a posting."""
        self.remove(item.posting_id)
        slot = len(self.posting_id)
        self.slot_of[item.posting_id] = slot
        self._append_columns(item)
        doc_len = sum(item.terms.values())
        self._total_len += doc_len
        self.live += 1
        if self.avgdl <= 0:
            self.avgdl = self._total_len / self.live
        norm = K1 * (1 - B + B * doc_len / self.avgdl) if self.avgdl else K1
        for term, tf in zip(self.terms[slot], item.terms.values(), strict=True):
            weight = tf * (K1 + 1) / (tf + norm)
            self._list(term).add(slot, weight)
            split = self.split.get(term)
            if split is not None:
                split.setdefault(item.district, PostingList()).add(slot, weight)
            self.df[term] = self.df.get(term, 0) + 1
        self.by_code[(item.district, item.code)].append(slot)
        self.by_district[item.district].append(slot)
        self._unsorted.add((item.district, item.code))
        self._unsorted.add(item.district)
        self._unsorted.add(ALL)
        self.codes[item.code] = self.codes.get(item.code, 0) + 1
        self.districts[item.district] = self.districts.get(item.district, 0) + 1

    def _list(self, term: str) -> PostingList:
        found = self.lists.get(term)
        if found is None:
            found = self.lists[term] = PostingList()
        return found

    def _append_columns(self, item: IndexedPosting) -> None:
        self.posting_id.append(item.posting_id)
        self.alive.append(1)
        self.district.append(sys.intern(item.district))
        self.code.append(sys.intern(item.code))
        self.salary_min.append(item.salary_min)
        self.salary_max.append(item.salary_max)
        self.edu_rank.append(item.education_rank)
        self.published.append(item.published)
        self.expires.append(item.expires)
        # One string object per distinct term, shared by every posting that has it: without
        # this, the terms of 50,000 postings held ~190 MB of duplicate strings.
        self.terms.append(tuple(map(sys.intern, item.terms)))

    def remove(self, posting_id: int) -> bool:
        """Mark a posting's slot dead; False if it was not indexed."""
        slot = self.slot_of.pop(posting_id, None)
        if slot is None:
            return False
        self.alive[slot] = 0
        self.live -= 1
        for term in self.terms[slot]:
            self.df[term] -= 1
        self.codes[self.code[slot]] -= 1
        self.districts[self.district[slot]] -= 1
        self.terms[slot] = ()
        return True

    def split_large_lists(self) -> None:
        """Give every large term list one list per district."""
        for term in self.large_terms():
            self.split_term(term)

    def large_terms(self) -> list[str]:
        """Terms whose list is long enough to be worth splitting by district."""
        return [term for term, plist in self.lists.items() if len(plist) >= SPLIT_MIN]

    def split_term(self, term: str) -> None:
        """(Re)build the per-district lists of one term from its full list."""
        district = self.district
        plist = self.lists[term]
        parts: dict[str, PostingList] = {}
        for slot, weight in zip(plist.slots, plist.weights, strict=True):
            part = parts.get(district[slot])
            if part is None:
                part = parts[district[slot]] = PostingList()
            part.add(slot, weight)
        self.split[term] = parts

    def unsorted_buckets(self) -> list[BucketKey]:
        """Bucket keys whose order must be restored before matching reads them."""
        return list(self._unsorted)

    def sort_bucket(self, key: BucketKey) -> None:
        """Put a bucket in order, newest posting first (then the higher id), dropping dead slots."""
        alive, published, pids = self.alive, self.published, self.posting_id
        current: Iterable[int]
        if key == ALL:
            current = range(len(pids))
        elif isinstance(key, str):
            current = self.by_district.get(key, ())
        else:
            current = self.by_code.get(key, ())
        live = [slot for slot in current if alive[slot]]
        live.sort(key=lambda slot: (published[slot], pids[slot]), reverse=True)
        if key == ALL:
            self._newest = live
        elif isinstance(key, str):
            self.by_district[key] = live
        else:
            self.by_code[key] = live
        self._unsorted.discard(key)

    def newest_first(self) -> list[int]:
        """Every live slot, newest posting first (after `prepare`)."""
        return self._newest

    def prepare(self) -> None:
        """Order every bucket changed since the last call (matching reads them newest first)."""
        for key in self.unsorted_buckets():
            self.sort_bucket(key)

    # -- reading ------------------------------------------------------------------------------

    @property
    def slots(self) -> int:
        """Slots used, dead ones included."""
        return len(self.posting_id)

    @property
    def dead_share(self) -> float:
        """Share of slots that are dead (the owner rebuilds past a threshold)."""
        return 1 - self.live / self.slots if self.slots else 0.0

    def idf(self, term: str) -> float:
        """BM25 idf (never negative) of a term over the live postings."""
        df = self.df.get(term, 0)
        return math.log(1 + (self.live - df + 0.5) / (df + 0.5)) if df > 0 else 0.0

    def term_lists(self, term: str, districts: frozenset[str]) -> list[PostingList]:
        """The lists to read for a term: per district when split and districts are given."""
        split = self.split.get(term)
        if split is not None and districts:
            return [split[d] for d in districts if d in split]
        found = self.lists.get(term)
        return [found] if found is not None else []

    def terms_of(self, posting_id: int) -> tuple[str, ...] | None:
        """The index terms of a live posting (None when it is not indexed)."""
        slot = self.slot_of.get(posting_id)
        return self.terms[slot] if slot is not None else None

    def known_terms(self, terms: Iterable[str]) -> list[str]:
        """Query words as the index knows them: an unknown word becomes its known parts."""
        from backend.employment.terms import word_parts

        known: dict[str, None] = {}
        for term in terms:
            if self.df.get(term, 0) > 0:
                known.setdefault(term, None)
                continue
            for part in word_parts(term):
                if self.df.get(part, 0) > 0:
                    known.setdefault(part, None)
        return list(known)

    def is_split(self, term: str) -> bool:
        """Does the term have per-district lists?"""
        return term in self.split
