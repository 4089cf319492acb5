#!/usr/bin/env python3
"""Assemble corpora/gold/dev.jsonl from the annotated parts (zh, en, myositis), in that order.

Each part is hand-annotated (see corpora/gold/README.md). Lines keep their `split` field (dev | test):
rules are tuned on `dev` only; `test` is kept for reporting, and never used for training.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GOLD = Path(__file__).resolve().parent.parent / "corpora" / "gold"
PARTS = ("zh.jsonl", "en.jsonl", "myositis.jsonl", "myositis2.jsonl")


def main() -> int:
    seen: set[str] = set()
    lines = []
    for name in PARTS:
        path = GOLD / "parts" / name
        if not path.exists():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            doc = json.loads(line)
            if doc["id"] in seen:
                print(f"{path}:{n}: duplicate id {doc['id']}", file=sys.stderr)
                return 1
            if doc.get("split") not in ("dev", "test"):
                print(f"{path}:{n}: split must be dev or test", file=sys.stderr)
                return 1
            seen.add(doc["id"])
            lines.append(line)
    (GOLD / "dev.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} documents → {GOLD / 'dev.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
