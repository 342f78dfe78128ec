"""Chinese text → index terms and query terms, with jieba.

Postings are indexed with jieba's search mode (a compound word and its parts: 软件测试 → 软件,
测试, 软件测试), queries are cut in precise mode, so every query word a posting contains is
among its index terms. Title terms count twice. Single characters, numbers, punctuation and
a short list of function words are dropped; Latin words are lower-cased. A query word missing
from the index is replaced by its parts (`word_parts`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

import jieba

from backend.occupations import OCCUPATIONS

TITLE_WEIGHT = 2
MAX_QUERY_TERMS = 24
CACHED_BLOCKS = 50_000
# What jieba cuts as one block (its re_han_default): everything else separates blocks.
_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")


def _words(text: str) -> tuple[str, ...]:
    """The words of a whitespace-separated list."""
    return tuple(text.split())


# Job words jieba's dictionary splits badly; occupation names are added too.
EXTRA_WORDS = _words(
    """
    五险一金 六险一金 包吃住 包住宿 双休 单休 大小周 月休四天 带薪年假
    年终奖 绩效奖金 电商运营 直播运营 新媒体运营 短视频运营 网店客服 电话销售
    门店销售 销售代表 储备干部 店长助理 收银员 理货员 仓管员 叉车司机
    货车司机 快递员 外卖骑手 网约车 养老护理 育婴师 月嫂 家政服务 保洁员
    保育员 幼师 护工 前端开发 后端开发 软件测试 测试工程师 运维工程师
    网络工程师 数据标注 人工智能训练师 平面设计 美工 剪辑 会计 出纳 文员
    前台 人事专员 招聘专员 行政专员 客服专员 普工 操作工 质检员 焊工 车工
    钳工 电工 缝纫工 纺纱工 挡车工 烘焙师 面点师 厨师 帮厨 服务员 咖啡师
    调酒师 健身教练 汽车维修 汽修 保安 java python web sql
    excel office cad photoshop
    """
)

STOP_WORDS = frozenset(
    _words(
        """
        的 了 和 与 及 或 等 是 在 有 对 为 以 并 将 被 把 从 向 到
        由 于 也 都 而 且 就 我 你 您 他 她 我们 你们 他们 自己 本人
        一份 一个 一些 能够 可以 希望 想要 想 要 找 以上 以下 以及 其他
        相关 进行 工作 负责 要求 优先 具有 具备 良好 较强 能力 公司 单位
        岗位 职位 招聘 若干 薪资 待遇 面议 元 月 年 天 小时 熟练 使用 熟悉
        掌握 了解 经验 学历 及以上 接受 适应 专业 毕业 不限 做事 主要 日常
        完成 协助 参与 各类 一定 需要 愿意 认真
        """
    )
)

_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$|^[a-z][a-z0-9+#.]*$")
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The shared jieba tokenizer with the job vocabulary (built once, thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                built = jieba.Tokenizer()
                built.initialize()
                for word in (*EXTRA_WORDS, *OCCUPATIONS.values()):
                    built.add_word(word, freq=20000)
                _tokenizer = built
                # The dictionary (hundreds of thousands of entries) lives as long as the process:
                # keep it out of the cyclic collector's full passes (each took ~45 ms).
                gc.freeze()
    return _tokenizer


async def ready() -> None:
    """Load jieba's dictionary in a thread if not done yet (it takes about a second)."""
    if _tokenizer is None:
        await asyncio.to_thread(tokenizer)


def _keep(word: str) -> str | None:
    word = word.strip().lower()
    if not word or word in STOP_WORDS or not _WORD.match(word):
        return None
    return word


def _segment_block(block: str) -> tuple[str, ...]:
    """The index terms of one block of text."""
    cut = tokenizer().cut_for_search(block, HMM=False)
    return tuple(kept for word in cut if (kept := _keep(word)))


# Postings repeat much of their wording (duties, requirements, benefits): blocks are cached.
_block_terms: Callable[[str], tuple[str, ...]] = lru_cache(maxsize=CACHED_BLOCKS)(_segment_block)


def cache_blocks(size: int) -> None:
    """Cache this many blocks (0: none; benchmarks measure segmenting without the cache)."""
    global _block_terms
    _block_terms = lru_cache(maxsize=size)(_segment_block) if size else _segment_block


def block_cache_info() -> tuple[int, int, int] | None:
    """(hits, misses, size) of the block cache of this process, None when there is none."""
    info = getattr(_block_terms, "cache_info", None)
    return (info().hits, info().misses, info().currsize) if info else None


def index_terms(title: str, text: str) -> dict[str, int]:
    """Term frequencies of a posting (title terms count twice).

    jieba cuts every run of word characters on its own (punctuation separates them), so the
    text is split into those runs first and each run's terms come from a cache.
    """
    counts: Counter[str] = Counter()
    for block in _BLOCK.findall(title):
        for term in _block_terms(block):
            counts[term] += TITLE_WEIGHT
    for block in _BLOCK.findall(text):
        counts.update(_block_terms(block))
    return dict(counts)


def word_parts(word: str) -> list[str]:
    """The shorter dictionary words inside a word (软件测试员 → 软件, 测试, 软件测试…).

    A query word the index does not know (the posting said 养老护理员, the seeker typed 养老护理)
    is looked up through its parts instead.
    """
    parts = (_keep(w) for w in tokenizer().cut_for_search(word, HMM=False))
    return [p for p in dict.fromkeys(parts) if p and p != word]


def query_terms(*texts: str) -> list[str]:
    """Distinct query words of some texts, in order of first appearance (at most 24)."""
    cut = tokenizer().cut
    seen: dict[str, None] = {}
    for text in texts:
        for word in cut(text or "", HMM=False):
            kept = _keep(word)
            if kept:
                seen.setdefault(kept, None)
    return list(seen)[:MAX_QUERY_TERMS]
