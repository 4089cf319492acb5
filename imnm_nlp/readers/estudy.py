"""CNKI E-Study (知网研学) text export: ``Title-题名: ...`` / ``Summary-摘要: ...`` lines.

Tag = English name, ``-``, Chinese name, then an ASCII or full-width colon. Records start at
``DataType: 1`` and are *not* separated by blank lines. ``Year-年`` may be empty; then the year comes from
``PubTime-出版时间``. Shared rules: :mod:`imnm_nlp.readers.cnki`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from imnm_nlp.readers._common import OnIssue
from imnm_nlp.readers.cnki import TaggedFormat, read_tagged
from imnm_nlp.records import Document

FORMAT = TaggedFormat(
    name="estudy",
    line=re.compile(r"^(DataType|[A-Za-z][A-Za-z ]*-[^\s:：]+)\s*[:：][ \t]*(.*)$"),
    roles={
        "DataType": "type", "Title": "title", "Summary": "abstract", "Author": "author", "Source": "journal",
        "Year": "year", "PubTime": "date", "DOI": "doi", "Keyword": "keywords", "SrcDatabase": "provider",
        "Link": "url",
    },
    start_tags=frozenset({"DataType", "Title"}),
    key="prefix",
)


def read(path: Path, on_issue: OnIssue) -> Iterator[Document]:
    """Yield one Document per record of an E-Study export; bad records go to ``on_issue``."""
    return read_tagged(path, on_issue, FORMAT)
