"""Test helpers: an in-memory index of simulated postings, profiles, and stored postings."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from backend.employment.index import IndexedPosting, JobIndex
from backend.employment.matching import MatchProfile
from backend.employment.models import JobPosting
from backend.employment.sync import ensure_index_state, next_index_seq
from backend.employment.terms import index_terms, query_terms
from backend.integrations.recruitment import JsonContractAdapter
from backend.occupations import EDUCATION_RANK, OCCUPATIONS, Education
from miniprogram_api.standins.recruitment_data import DISTRICT_WEIGHTS, TRADES, make_posting

EPOCH = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
ADAPTER = JsonContractAdapter()


def indexed(raw: dict[str, Any], posting_id: int) -> IndexedPosting:
    """A simulator posting as the index holds it."""
    item = ADAPTER.parse_posting(raw)
    text = f"{item.occupation_name} {item.employer} {item.address} {item.description}"
    return IndexedPosting(
        posting_id=posting_id,
        district=item.district_code,
        code=item.occupation_code,
        salary_min=item.salary_min,
        salary_max=item.salary_max,
        education_rank=EDUCATION_RANK[item.education],
        published=item.published_at.timestamp(),
        expires=item.expires_at.timestamp() if item.expires_at else float("inf"),
        terms=index_terms(item.title, text),
    )


@lru_cache(maxsize=4)
def market_index(size: int, seed: int = 11) -> JobIndex:
    """An index of `size` simulated postings (posting id = position + 1)."""
    return JobIndex.build(indexed(make_posting(seed, i, 0, EPOCH), i + 1) for i in range(size))


def random_profile(rng: random.Random) -> MatchProfile:
    """A plausible trainee: 0-3 wanted occupations, 0-3 districts, maybe a floor and words."""
    trade = rng.choice(TRADES)
    codes = [trade.code, *rng.sample(list(OCCUPATIONS), rng.randrange(0, 3))]
    if rng.random() < 0.15:
        codes = []
    districts = rng.sample(list(DISTRICT_WEIGHTS), rng.choice((0, 1, 1, 2, 3)))
    words = " ".join(rng.sample(trade.skills, 2) + rng.sample(trade.titles, 1))
    education = rng.choice(list(Education)[1:])
    return MatchProfile(
        occupations=tuple(codes),
        districts=frozenset(districts),
        salary_floor=rng.choice((None, 3000, 4000, 5000, 6000, 8000)),
        education_rank=EDUCATION_RANK[education] if rng.random() < 0.8 else None,
        terms=tuple(query_terms(words)) if rng.random() < 0.85 else (),
    )


async def store_postings(raws: list[dict[str, Any]], *, source: str = "fuzhou") -> list[JobPosting]:
    """Store simulator postings the way the sync does (with index terms and a change number)."""
    from backend.employment.sync import _plan_page

    await ensure_index_state()
    items = [ADAPTER.parse_posting(raw) for raw in raws]
    rows = _plan_page({i.external_id: i for i in items}, {}, 0, source).rows
    seq = await next_index_seq()
    for row in rows:
        row.change_seq = seq
    await JobPosting.bulk_create(rows)
    return await JobPosting.filter(external_id__in=[i.external_id for i in items]).order_by("id")


def raw_posting(**changes: Any) -> dict[str, Any]:
    """A simulator posting (index 0 of seed 11, published now-ish) with fields changed."""
    raw = make_posting(11, changes.pop("index", 0), 0, changes.pop("epoch", EPOCH))
    raw.update(changes)
    return raw
