#!/usr/bin/env python3
"""External check of epi recall: EpiSet4NER's statistic (``STAT``) spans, beyond the project's gold.

    .venv/bin/python scripts/episet_check.py                      # hand-corrected test sentences
    .venv/bin/python scripts/episet_check.py episet_ner_train 20  # programmatic labels; print 20 misses

For every STAT span of ``corpora/train/<name>.jsonl.gz`` (sentences that share text with the gold are skipped,
as in training), it reports the share overlapped by a RATE entity and by an epi record's evidence, rules only.
STAT spans include things the guideline does not count as epi figures (``unknown``, ``3 times``, case counts),
so the shares are a floor, useful for comparing versions of the rules, not a score against ANNOTATION.md.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(name: str = "episet_ner_test", show: int = 0) -> None:
    import imnm_nlp
    from imnm_nlp.model.corpus import GoldGuard

    guard = GoldGuard.from_folder()
    nlp = imnm_nlp.load(use_model=False)
    total = rate_hit = epi_hit = skipped = 0
    misses: list[tuple[str, str]] = []
    with gzip.open(REPO / "corpora" / "train" / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            unit = json.loads(line)
            ann = json.loads(unit["ann"]) if isinstance(unit["ann"], str) else unit["ann"]
            stats = ann.get("STAT", [])
            if not stats:
                continue
            if guard.overlaps(unit["text"]):
                skipped += 1
                continue
            res = nlp(unit["text"], lang="en")
            for s, e in stats:
                total += 1
                rate_hit += any(x.label == "RATE" and x.start < e and s < x.end for x in res.entities)
                if any(f.provenance.start < e and s < f.provenance.end for f in res.epi):
                    epi_hit += 1
                else:
                    misses.append((unit["text"][s:e], unit["text"]))
    print(f"{name}: {total} STAT spans; RATE overlap {rate_hit / max(1, total):.3f}; "
          f"epi record overlap {epi_hit / max(1, total):.3f}; {skipped} sentences skipped (shared with gold)")
    for surface, text in random.Random(0).sample(misses, min(show, len(misses))):
        print(f"  {surface!r} | {text[:160]}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "episet_ner_test", int(sys.argv[2]) if len(sys.argv) > 2 else 0)
