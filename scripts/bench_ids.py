#!/usr/bin/env python3
"""Memory of the duplicate-id pass of the assembly: SQLite on disk (what ``run._superseded`` does) vs the
in-memory dicts it replaced, on synthetic part files of N ids (1,000 of them re-issued in the last file).

    .venv/bin/python scripts/bench_ids.py 2000000 sqlite
    .venv/bin/python scripts/bench_ids.py 2000000 dict
"""
import json, sys, time, resource, os, tempfile
from pathlib import Path
from imnm_nlp.run import _superseded
n = int(sys.argv[1]); mode = sys.argv[2]
tmp = Path(tempfile.mkdtemp())
files = 4
per = n // files
for f in range(files):
    with open(tmp / f"{f:06d}.docs.jsonl", "w") as fh:
        for i in range(per):
            pmid = 30_000_000 + f * per + i
            if f == 3 and i < 1000: pmid = 30_000_000 + i  # 1000 re-issued PMIDs in the last file
            fh.write(json.dumps({"id": f"pmid:{pmid}", "source_file": f"pubmed{f}.xml.gz", "record_index": i}) + "\n")
markers = [{"index": f} for f in range(files)]
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
if mode == "sqlite":
    losers, dups = _superseded(markers, tmp)
else:  # the previous implementation: two dicts over every id
    last, seen, dups = {}, {}, []
    for m in markers:
        with open(tmp / f"{m['index']:06d}.docs.jsonl") as fh:
            for ordinal, line in enumerate(fh):
                meta = json.loads(line)
                if meta["id"] in seen: dups.append(meta["id"])
                seen[meta["id"]] = (meta["source_file"], meta["record_index"])
                last[meta["id"]] = (m["index"], ordinal)
print(mode, n, "ids", len(dups), "dups", f"{time.perf_counter()-t:.1f} s", f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MB (before {rss0:.0f} MB)")
