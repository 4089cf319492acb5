"""EndNote/refer tagged export (CNKI "EndNote" download): ``%0 Journal Article`` / ``%T`` / ``%X`` ... lines.

``%`` + one character tag, a space, the value; records start at ``%0`` and are separated by blank lines.
``%Q`` (refer "translated title") is the English title when present. Shared rules: :mod:`imnm_nlp.readers.cnki`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from imnm_nlp.readers._common import OnIssue
from imnm_nlp.readers.cnki import TaggedFormat, read_tagged
from imnm_nlp.records import Document

FORMAT = TaggedFormat(
    name="endnote",
    # CNKI sometimes glues the value to the tag (``%K黄芪多糖``): the tag is always two characters.
    line=re.compile(r"^(%\S)[ \t]*(.*)$"),
    roles={
        "%0": "type", "%T": "title", "%Q": "title_tr", "%X": "abstract", "%A": "author", "%J": "journal",
        "%D": "year", "%8": "date", "%R": "doi", "%K": "keywords", "%G": "language", "%W": "provider", "%U": "url",
    },
    start_tags=frozenset({"%0"}),
)


def read(path: Path, on_issue: OnIssue) -> Iterator[Document]:
    """Yield one Document per record of an EndNote/refer export; bad records go to ``on_issue``."""
    return read_tagged(path, on_issue, FORMAT)
