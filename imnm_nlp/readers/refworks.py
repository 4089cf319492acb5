"""RefWorks tagged export (CNKI "RefWorks" download): ``RT Journal Article`` / ``T1`` / ``AB`` ... lines.

Two-character tag, one space, value; records separated by blank lines (or not: a new ``RT`` starts a
record); tags repeat (``A1`` per author, or one ``A1`` with ``;``/``,`` separated names; sometimes a second
``AB`` with the English abstract). See :mod:`imnm_nlp.readers.cnki` for the shared rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from imnm_nlp.readers._common import OnIssue
from imnm_nlp.readers.cnki import TaggedFormat, read_tagged
from imnm_nlp.records import Document

# The RefWorks tags CNKI writes (plus URL). Real CNKI exports sometimes write a tag in lower case (``vo 4``)
# or glue the value to it (``A1林行众``). A glued value is accepted only when it starts with a non-ASCII
# character (a Chinese name or title), and lower case only for the tags seen lower-cased, so that an English
# continuation line ("No difference ...") is not taken for a tag. After an abstract line only the tags CNKI
# writes there count (``after_abstract``), so "AD patients ..." continues the abstract. Rare tags that look
# like words or abbreviations (CR, ST, AN, AV) are left out for the same reason.
_TAGS = "RT SR ID A1 A2 A3 A4 A5 T1 T2 T3 JF JO YR FD VO IS SP OP K1 AB NO ED PB PP SN AD LA CL LK DO CN DB DS UL C1 URL".split()
_LOWER_OK = ("vo", "is")
_TAG_RE = "|".join(sorted(_TAGS + list(_LOWER_OK), key=len, reverse=True))

FORMAT = TaggedFormat(
    name="refworks",
    line=re.compile(rf"^({_TAG_RE})(?:[ \t]+(.*)|[ \t]*|(?=[^\x00-\x7f])(.*))$"),
    roles={
        "RT": "type", "T1": "title", "AB": "abstract", "A1": "author", "JF": "journal", "JO": "journal",
        "YR": "year", "FD": "date", "DO": "doi", "K1": "keywords", "LA": "language", "DS": "provider",
        "LK": "url", "UL": "url", "URL": "url",
    },
    start_tags=frozenset({"RT"}),
    # What CNKI writes after AB; an "AD ..."/"NO ..." line right after an abstract line is abstract text.
    after_abstract=frozenset({"AB", "SN", "CN", "LA", "DS", "LK", "DO", "UL", "URL", "RT", "K1", "DB", "ID", "C1"}),
    key="upper",
)


def read(path: Path, on_issue: OnIssue) -> Iterator[Document]:
    """Yield one Document per record of a RefWorks export; bad records go to ``on_issue``."""
    return read_tagged(path, on_issue, FORMAT)
