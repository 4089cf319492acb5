"""Run tasks in this process (``workers=1``) or in a pool of local processes.

Each worker process builds the pipeline once (cached per process in ``imnm_nlp.run``) and limits torch to its
share of the cores, so N workers on C cores do not oversubscribe the CPU with N×C BLAS threads.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any, Callable, Sequence

log = logging.getLogger(__name__)


def threads_per_worker(workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def init_worker(threads: int) -> None:
    """Set intra-op threads before any model loads in this worker."""
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:  # rules-only installs do not need torch
        pass


def run_local(
    fn: Callable[[Any], dict],
    tasks: Sequence[Any],
    workers: int = 1,
    on_done: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Run ``fn`` over ``tasks``; ``on_done`` is called with each result as it completes."""
    results: list[dict] = []
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            result = fn(task)
            results.append(result)
            if on_done:
                on_done(result)
        return results
    # spawn, not fork: a forked child would inherit torch's thread pools and any half-loaded state.
    ctx = get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)), mp_context=ctx, initializer=init_worker, initargs=(threads_per_worker(workers),)
    ) as pool:
        futures = [pool.submit(fn, t) for t in tasks]
        for fut in as_completed(futures):
            result = fut.result()
            results.append(result)
            if on_done:
                on_done(result)
    return results
