"""The matching model (pure): hard filters, the occupation hierarchy, text, salary, recency."""

from __future__ import annotations

import random

import pytest

from backend.employment.index import IndexedPosting, JobIndex
from backend.employment.matching import (
    MatchProfile,
    PostingFacts,
    SeekerFacts,
    rank_all,
    reasons,
    recency,
    salary_fit,
    shared_levels,
    top_matches,
)
from backend.occupations import EDUCATION_RANK, Education
from tests.jobs_market.market import EPOCH, market_index, random_profile

NOW = EPOCH.timestamp()
DAY = 86400.0


def posting(pid: int, **fields: object) -> IndexedPosting:
    values: dict[str, object] = {
        "posting_id": pid,
        "district": "350103",
        "code": "4-01-02-01",
        "salary_min": 5000,
        "salary_max": 7000,
        "education_rank": EDUCATION_RANK[Education.HIGH_SCHOOL],
        "published": NOW - 2 * DAY,
        "expires": NOW + 30 * DAY,
        "terms": {"销售": 2, "客户": 1, "门店": 1},
    }
    values.update(fields)
    return IndexedPosting(**values)  # type: ignore[arg-type]


def ids(index: JobIndex, profile: MatchProfile, k: int = 20) -> list[int]:
    return [m.posting_id for m in top_matches(index, profile, now=NOW, k=k)]


def test_the_fast_ranking_equals_scoring_every_posting_for_many_random_profiles() -> None:
    index = market_index(3000)
    rng = random.Random(5)
    for _ in range(150):
        profile = random_profile(rng)
        expected = rank_all(index, profile, now=NOW)[:20]
        assert top_matches(index, profile, now=NOW, k=20) == expected


def test_the_same_occupation_ranks_above_its_minor_medium_and_major_groups() -> None:
    codes = ["6-18-01-01", "4-01-02-01", "4-04-04-01", "4-04-05-01", "4-04-05-02"]
    index = JobIndex.build(posting(n, code=c) for n, c in enumerate(codes, start=1))
    profile = MatchProfile(occupations=("4-04-05-02",))
    assert ids(index, profile) == [5, 4, 3, 2, 1]
    assert [shared_levels(c, "4-04-05-02") for c in codes] == [0, 1, 2, 3, 4]


def test_a_group_code_in_the_profile_matches_every_occupation_inside_it() -> None:
    index = JobIndex.build([posting(1, code="4-04-05-02"), posting(2, code="6-18-01-01")])
    assert ids(index, MatchProfile(occupations=("4-04",))) == [1, 2]


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (MatchProfile(districts=frozenset({"350102"})), [2]),
        (MatchProfile(education_rank=EDUCATION_RANK[Education.JUNIOR_MIDDLE]), [1, 3]),
        (MatchProfile(salary_floor=7500), [2, 3]),
        (MatchProfile(exclude=frozenset({1, 3})), [2]),
    ],
)
def test_hard_filters_remove_postings_whatever_their_score(
    profile: MatchProfile, expected: list[int]
) -> None:
    index = JobIndex.build(
        [
            posting(1, education_rank=0),
            posting(2, district="350102", salary_min=6000, salary_max=9000),
            posting(3, salary_min=0, salary_max=0, education_rank=0),  # negotiable pay
        ]
    )
    assert ids(index, profile) == expected


def test_expired_and_removed_postings_are_never_matched() -> None:
    index = JobIndex.build([posting(1, expires=NOW - 1), posting(2), posting(3)])
    index.remove(3)
    assert ids(index, MatchProfile()) == [2]


def test_a_posting_that_mentions_the_seekers_words_ranks_higher() -> None:
    plain = {"销售": 2, "客户": 1}
    mentions = {"销售": 2, "客户": 1, "直播": 2, "抖音": 1}
    others = [posting(n, terms={"仓库": 1, "叉车": 1}) for n in range(3, 13)]
    index = JobIndex.build([posting(1, terms=plain), posting(2, terms=mentions), *others])
    profile = MatchProfile(occupations=("4-01-02-01",), terms=("直播", "抖音"))
    assert ids(index, profile, k=2) == [2, 1]


def test_words_found_in_most_postings_do_not_move_the_ranking() -> None:
    # 福州 is in a quarter of the postings (over the tenth that makes a word common), the
    # oldest ones: were it counted, they would lead.
    index = JobIndex.build(
        [
            posting(
                n,
                terms={"销售": 1, "福州": 3} if n > 15 else {"销售": 1, "门店": 1},
                published=NOW - n * DAY,
            )
            for n in range(1, 21)
        ]
    )
    with_words = ids(index, MatchProfile(terms=("福州",)))
    assert with_words == ids(index, MatchProfile()) == list(range(1, 21))  # newest first


def test_better_pay_and_newer_postings_rank_higher_when_all_else_is_equal() -> None:
    index = JobIndex.build(
        [
            posting(1, salary_min=4000, salary_max=5000),
            posting(2, salary_min=7000, salary_max=9000),
            posting(3, salary_min=4000, salary_max=5000, published=NOW - 20 * DAY),
        ]
    )
    assert ids(index, MatchProfile(salary_floor=5000)) == [2, 1, 3]
    assert salary_fit(5000, 5000, 5000) == 0.5
    assert salary_fit(7000, 8000, 5000) == 1.0
    assert salary_fit(0, 0, 5000) == 0.3


def test_the_scoring_loop_computes_salary_and_recency_as_their_definitions_say() -> None:
    """The loop writes the two formulas inline for speed: it must agree with salary_fit/recency."""
    index = market_index(2000)
    slot_of = {pid: slot for slot, pid in enumerate(index.posting_id)}
    rng = random.Random(11)
    for _ in range(20):
        profile = random_profile(rng)
        for match in top_matches(index, profile, now=NOW):
            slot = slot_of[match.posting_id]
            low, high = index.salary_min[slot], index.salary_max[slot]
            assert match.salary == pytest.approx(salary_fit(low, high, profile.salary_floor))
            assert match.recency == pytest.approx(recency(index.published[slot], NOW))


def test_scores_lie_between_zero_and_one() -> None:
    index = market_index(3000)
    rng = random.Random(9)
    for _ in range(30):
        for match in top_matches(index, random_profile(rng), now=NOW):
            assert 0.0 <= match.score <= 1.0


def facts(**changes: object) -> PostingFacts:
    values: dict[str, object] = {
        "occupation_code": "4-01-02-01",
        "occupation_name": "营销员",
        "district_name": "台江区",
        "salary_min": 6000,
        "salary_max": 8000,
        "education": Education.HIGH_SCHOOL,
        "terms": frozenset({"销售", "门店"}),
        "age_days": 1.0,
    }
    values.update(changes)
    return PostingFacts(**values)  # type: ignore[arg-type]


def seeker(**changes: object) -> SeekerFacts:
    values: dict[str, object] = {
        "occupations": ("4-01-02-01",),
        "districts": frozenset({"350103"}),
        "salary_floor": 5000,
        "education": Education.JUNIOR_COLLEGE,
        "terms": ("门店", "直播"),
    }
    values.update(changes)
    return SeekerFacts(**values)  # type: ignore[arg-type]


def test_reasons_say_in_chinese_why_a_posting_was_recommended() -> None:
    said = reasons(facts(), seeker(), limit=10)
    assert said[0] == "您期望的岗位类别「营销员」与该岗位一致"
    assert "岗位信息提到您关注的：门店" in said
    assert "薪资高于您的期望（6000-8000元/月，您的期望为5000元/月）" in said
    assert "工作地点在您选择的台江区" in said
    assert "3天内新发布的岗位" in said


def test_reasons_name_the_shared_group_when_the_occupation_differs() -> None:
    said = reasons(facts(occupation_code="4-01-02-02", occupation_name="电子商务师"), seeker())
    assert said[0] == "该岗位（电子商务师）与您期望的「营销员」同属「销售人员」"
    major = reasons(facts(occupation_code="4-03-02-05"), seeker())
    assert major[0] == "该岗位属于您期望的职业大类「社会生产服务和生活服务人员」"


def test_a_salary_that_only_reaches_the_floor_at_its_top_is_said_so() -> None:
    said = reasons(facts(salary_min=4000, salary_max=6000), seeker(), limit=10)
    assert "薪资可达到您的期望（4000-6000元/月）" in said
