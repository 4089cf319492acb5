"""NoteExpress export (CNKI and Wanfang "NoteExpress" download): ``{Title}: ...`` lines.

Tag in braces, then an ASCII or full-width colon (``{Title}：`` in some CNKI exports), then the value.
Wanfang writes one ``{Author}``/``{Keywords}`` line per value (with a leading space); CNKI joins them with
``;``. ``{Translated Title}``/``{Translated Abstract}`` hold the English version. Shared rules:
:mod:`imnm_nlp.readers.cnki`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from imnm_nlp.readers._common import OnIssue
from imnm_nlp.readers.cnki import TaggedFormat, read_tagged
from imnm_nlp.records import Document

FORMAT = TaggedFormat(
    name="noteexpress",
    line=re.compile(r"^\{([^{}]+)\}\s*[:：][ \t]*(.*)$"),
    roles={
        "Reference Type": "type", "Title": "title", "Translated Title": "title_tr", "Abstract": "abstract",
        "Translated Abstract": "abstract_tr", "Author": "author", "Journal": "journal", "Year": "year",
        "Date": "date", "DOI": "doi", "Keywords": "keywords", "Translated Keywords": "keywords_tr",
        "Language": "language", "Database Provider": "provider", "URL": "url",
    },
    start_tags=frozenset({"Reference Type"}),
)


def read(path: Path, on_issue: OnIssue) -> Iterator[Document]:
    """Yield one Document per record of a NoteExpress export; bad records go to ``on_issue``."""
    return read_tagged(path, on_issue, FORMAT)
