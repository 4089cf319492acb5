#!/usr/bin/env python3
"""Benchmark entry point: `python scripts/bench.py [N] [BASELINE_N]` (same as `imnm-nlp bench`).

Prints articles/s for reading, abstracts/s for rules, rules + transformer and a naive transformers baseline,
each with its peak RSS, measured in one run on the demo corpus's real abstracts.
"""

import sys

from imnm_nlp.bench import run_bench

if __name__ == "__main__":
    run_bench(*(int(a) for a in sys.argv[1:3]))
