"""Plain text input: one document per file, or one per blank-line separated block.

Contract (the decision the format leaves to us):

* The file is split into blocks at blank lines. When there are two or more blocks and **every** block is
  long (at least :data:`MIN_BLOCK_CHARS` non-space characters: an abstract, not a heading), each block is
  one document ``file:<name>#<n>`` (``n`` from 0).
* Otherwise the whole file is one document ``file:<name>#0``; when its first block is a single short line
  followed by more text, that line is the ``title`` section and the rest the ``abstract``.
* Line ends are normalized to LF (the text is otherwise as written, stripped at both ends). Language is
  detected by script, ``lang_detected=True``. Whitespace in the file name becomes ``_`` in the id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from imnm_nlp.readers._common import OnIssue, detect_lang, read_text
from imnm_nlp.records import Document, ReadIssue, Section

MIN_BLOCK_CHARS = 200
_TITLE_MAX = 300
_BLANK = re.compile(r"\n[ \t\u3000]*\n\s*")


def _section(name: str, text: str) -> Section:
    return Section(name=name, lang=detect_lang(text), text=text, lang_detected=True)


def read(path: Path, on_issue: OnIssue) -> Iterator[Document]:
    """Yield the document(s) of one plain text file (see the module doc for the splitting rule)."""
    decoded = read_text(path, on_issue)
    if decoded is None:
        return
    raw, encoding = decoded
    text = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        on_issue(ReadIssue(file=str(path), record=None, reason="empty text file", kind="warning"))
        return
    name = re.sub(r"\s+", "_", path.name)
    blocks = [b.strip() for b in _BLANK.split(text) if b.strip()]
    long_blocks = all(len(re.sub(r"\s", "", b)) >= MIN_BLOCK_CHARS for b in blocks)
    if len(blocks) >= 2 and long_blocks:
        for i, block in enumerate(blocks):
            yield Document(id=f"file:{name}#{i}", source_file=str(path), record_index=i,
                           sections=(_section("abstract", block),), source_format="text", encoding=encoding)
        return
    if len(blocks) >= 2 and "\n" not in blocks[0] and len(blocks[0]) <= _TITLE_MAX:
        rest = text[len(blocks[0]):].strip()
        sections: tuple[Section, ...] = (_section("title", blocks[0]), _section("abstract", rest))
        title = blocks[0]
    else:
        sections, title = (_section("abstract", text),), ""
    yield Document(id=f"file:{name}#0", source_file=str(path), record_index=0, sections=sections,
                   title=title, source_format="text", encoding=encoding)
