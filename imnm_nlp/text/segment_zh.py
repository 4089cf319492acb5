"""Chinese word segmentation with a private ``jieba.Tokenizer`` and the project's domain words.

Contract: ``segment_zh(text)`` returns ``(start, end)`` offsets of jieba's tokens in ``text``, in order,
covering every character exactly once (whitespace characters are tokens too: jieba yields each one, and
``\\r\\n`` as one). ``zh_tokenizer()`` returns the per-process, cached ``jieba.Tokenizer`` itself.

Why a private tokenizer: jieba's module-level functions share one global ``jieba.dt``; anything else in
the process that calls ``jieba.add_word`` or ``jieba.load_userdict`` would change our segmentation.

Domain words come from two places, loaded once with ``Tokenizer.add_word`` in memory (no file written):

* the project lexicon, ``imnm_nlp.tagging.lexicon.load_lexicon().surfaces("zh")`` (``[(surface, label)]``);
* :file:`zh_userdict_extra.txt` beside this module: general words the lexicon does not hold (患者,
  难治性, 发病率...), one per line, ``#`` comments.

Only words of 2+ characters containing a Han character are added: jieba keeps runs of Latin letters and
digits together by itself, and an ASCII entry (``DM``) with a high frequency would cut inside longer
ASCII words. A word's frequency is ``max(suggest_freq(word), DOMAIN_FREQ)``: ``suggest_freq`` alone
makes the word just beat its own default cut when it stands alone, and the floor of 1000 (a common
word: 患者 has 3932 in jieba's dictionary, 病患者 61) keeps it winning when a neighbour could steal a
character (``免疫介导坏死性肌病患者`` is ``免疫/介导/坏死性/肌/病患者`` by default). Each word adds its
frequency to jieba's total (60.1M): 10,000 words at the floor move every other word's log-probability by
less than 0.16, so general segmentation is unchanged in practice.

Start-up: the prefix dictionary is built from jieba's bundled ``dict.txt`` in memory with
``Tokenizer.gen_pfdict`` instead of ``Tokenizer.initialize``, so no ``jieba.cache`` file is written to the
temp dir; measured on this machine, loading that cache was no faster (0.55-0.61 s vs 0.52-0.55 s).
jieba's own logger (which jieba configures at DEBUG with a stderr handler when imported) is set to WARNING
when the tokenizer is built; global logging configuration is not touched.

Limits: jieba cannot keep a token across characters outside its ``[\\u4E00-\\u9FD5a-zA-Z0-9+#&._%-]``
blocks, so ``IL-1β``, ``TNF-α``, ``HLA-DRB1*11:01`` and ``0.83/10万`` come out as several tokens; their
character offsets are exact, and entity boundaries never come from tokens (STYLE §1).

Example:
    >>> text = "免疫介导坏死性肌病患者"
    >>> [text[s:e] for s, e in segment_zh(text)]
    ['免疫介导坏死性肌病', '患者']
"""

from __future__ import annotations

import logging
import re
import threading
import time
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Iterable

from imnm_nlp.errors import ResourceError

if TYPE_CHECKING:  # jieba is imported lazily: importing it installs a stderr handler on its logger.
    import jieba

__all__ = ["segment_zh", "zh_tokenizer", "build_tokenizer", "domain_words", "DOMAIN_FREQ"]

log = logging.getLogger(__name__)

DOMAIN_FREQ = 1000
_EXTRA = "zh_userdict_extra.txt"
_HAS_HAN = re.compile(r"[\u4E00-\u9FD5]")
_lock = threading.Lock()


def _extra_words() -> list[str]:
    try:
        raw = resources.files("imnm_nlp.text").joinpath(_EXTRA).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise ResourceError(f"{_EXTRA} is missing from imnm_nlp/text ({exc}); reinstall the package") from exc
    words = []
    for line in raw.splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


def _lexicon_words() -> list[str]:
    """Chinese surfaces of the project lexicon; an absent lexicon module is a logged, degraded start."""
    try:
        from imnm_nlp.tagging.lexicon import load_lexicon
    except ImportError as exc:
        log.warning("Chinese segmentation without the project lexicon (%s): domain terms may be split", exc)
        return []
    return [surface for surface, _label in load_lexicon().surfaces("zh")]


def domain_words() -> list[str]:
    """The words added to the tokenizer: lexicon surfaces then extra words, filtered and de-duplicated."""
    seen: dict[str, None] = {}
    for word in (*_lexicon_words(), *_extra_words()):
        if len(word) >= 2 and _HAS_HAN.search(word) and not any(ch.isspace() for ch in word):
            seen.setdefault(word, None)
    return list(seen)


def build_tokenizer(words: Iterable[str]) -> "jieba.Tokenizer":
    """A new private ``jieba.Tokenizer`` with ``words`` added (see the module docstring for frequencies)."""
    import jieba

    # After the import: importing jieba sets its logger to DEBUG with its own stderr handler.
    logging.getLogger("jieba").setLevel(logging.WARNING)

    t0 = time.perf_counter()
    tokenizer = jieba.Tokenizer()
    # Build the prefix dictionary in memory: initialize() would also write jieba.cache to the temp dir.
    with tokenizer.get_dict_file() as handle:
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(handle)
    tokenizer.initialized = True
    count = 0
    for word in words:
        tokenizer.add_word(word, max(tokenizer.suggest_freq(word, False), DOMAIN_FREQ))
        count += 1
    log.debug("jieba tokenizer ready with %d domain words in %.3f s", count, time.perf_counter() - t0)
    return tokenizer


@lru_cache(maxsize=1)
def _cached() -> "jieba.Tokenizer":
    return build_tokenizer(domain_words())


def zh_tokenizer() -> "jieba.Tokenizer":
    """The process-wide private ``jieba.Tokenizer`` with the domain words.

    Built on first call: 1-2 s with the lexicon's 6,400 Chinese words (dictionary 0.55-1.2 s, lexicon
    0.45 s, adding the words 0.26 s, measured on the 2-core dev machine).
    """
    with _lock:  # two threads must not build it twice
        return _cached()


def segment_zh(text: str) -> list[tuple[int, int]]:
    """Cut Chinese (or mixed) text into jieba tokens; returns ``(start, end)`` offsets into ``text``.

    Every character is in exactly one token; whitespace characters are their own tokens.
    """
    out: list[tuple[int, int]] = []
    pos = 0
    for word in zh_tokenizer().cut(text, HMM=True):
        out.append((pos, pos + len(word)))
        pos += len(word)
    if pos != len(text):  # jieba's cut is lossless; a change in jieba must not shift offsets silently
        raise ResourceError(f"jieba lost characters: {pos} of {len(text)} covered")
    return out
