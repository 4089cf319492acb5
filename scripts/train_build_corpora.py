"""Copy the real training texts from the shared corpora into ``corpora/train/`` (one-off; run from the repo root).

    .venv/bin/python scripts/train_build_corpora.py /work/shared/corpora

Writes gzip JSON Lines, one text unit per line: ``{"doc", "unit", "lang", "text", "ann"}`` where ``ann`` maps an
annotation layer of the source corpus (``Disease``, ``Chemical``, ``STAT``, ``EPI``, ``LOC``) to ``[start, end)``
character ranges in ``text``. Token-per-line corpora (BC5CDR, EpiSet) are detokenized with simple rules (no
space before closing punctuation, none after an opening bracket, none around ``-``/``/``/apostrophes) and
their spans moved along. Sentences of those corpora carry no abstract ids: consecutive sentences are grouped
into pseudo-documents of 10 (about one abstract), so splits by document keep neighbours together.
The project never reads the shared folder at run time: ``imnm-nlp train`` reads only ``corpora/train``.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "corpora" / "train"
NO_SPACE_BEFORE = {".", ",", ";", ":", ")", "]", "}", "%", "?", "!", "'s", "-", "/", "'", "’"}
NO_SPACE_AFTER = {"(", "[", "{", "-", "/", "'", "’"}
CHUNK = 10


def read_iob(path: Path) -> list[list[tuple[str, str]]]:
    sents, cur = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if cur:
                sents.append(cur)
            cur = []
            continue
        tok, tag = line.split("\t")
        cur.append((tok, tag))
    if cur:
        sents.append(cur)
    return sents


def detok(tokens: list[tuple[str, str]]) -> tuple[str, dict[str, list[list[int]]]]:
    """Join tokens into text; return the text and the BIO entities as character ranges per type."""
    text, starts = "", []
    prev = None
    for tok, _ in tokens:
        if prev is not None and tok not in NO_SPACE_BEFORE and prev not in NO_SPACE_AFTER:
            text += " "
        starts.append(len(text))
        text += tok
        prev = tok
    ann: dict[str, list[list[int]]] = {}
    cur: list | None = None
    for (tok, tag), s in zip(tokens, starts):
        e = s + len(tok)
        if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[0] != tag[2:])):
            if cur:
                ann.setdefault(cur[0], []).append([cur[1], cur[2]])
            cur = [tag[2:], s, e]
        elif tag.startswith("I-") and cur is not None:
            cur[2] = e
        else:
            if cur:
                ann.setdefault(cur[0], []).append([cur[1], cur[2]])
            cur = None
    if cur:
        ann.setdefault(cur[0], []).append([cur[1], cur[2]])
    return text, ann


def write(name: str, rows: list[dict]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.jsonl.gz"
    # mtime=0: the same input gives byte-identical files (a stable training-data hash)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for row in rows:
            gz.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"{path}: {len(rows)} units")


def iob_corpus(path: Path, prefix: str) -> list[dict]:
    rows = []
    for i, toks in enumerate(read_iob(path)):
        text, ann = detok(toks)
        for label, ranges in ann.items():
            for s, e in ranges:
                if text[s:e].strip() != text[s:e] or e <= s:
                    raise ValueError(f"bad span {text[s:e]!r} in {prefix}:{i}")
        rows.append({"doc": f"{prefix}-{i // CHUNK}", "unit": i % CHUNK, "lang": "en", "text": text, "ann": ann})
    return rows


def main(src: Path) -> None:
    csl = []
    for line in (src / "csl-medical" / "medical.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        csl.append({"doc": d["id"], "unit": 0, "lang": "zh", "text": d["title"], "ann": {}})
        csl.append({"doc": d["id"], "unit": 1, "lang": "zh", "text": d["abstract"], "ann": {}})
    write("csl_medical", csl)
    with open(src / "episet" / "classify_test.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    write("episet_classify", [
        {"doc": f"episet-cls-{i}", "unit": 0, "lang": "en", "text": r["abstract"], "ann": {}, "epi_label": int(r["label"])}
        for i, r in enumerate(rows)
    ])
    for split in ("train", "test"):  # val is not used (dev = a document split of train)
        write(f"episet_ner_{split}", iob_corpus(src / "episet" / f"ner_{split}.tsv", f"episet-ner-{split}"))
    for split in ("train",):
        write(f"bc5cdr_{split}", iob_corpus(src / "bc5cdr" / f"{split}.tsv", f"bc5cdr-{split}"))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpora"))
