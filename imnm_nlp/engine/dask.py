"""Run tasks on a Dask cluster: an existing scheduler (``--scheduler tcp://host:8786``) or a LocalCluster.

Tasks are whole input files (a PubMed baseline file is ~30,000 articles: large enough to amortize the pipeline
load, small enough to balance). Workers share nothing but the output directory, which must be visible to all of
them (a shared filesystem on a real cluster). Results are gathered and ordered by the caller.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

from imnm_nlp.engine.local import init_worker, threads_per_worker
from imnm_nlp.errors import InputError

log = logging.getLogger(__name__)


def run_dask(
    fn: Callable[[Any], dict],
    tasks: Sequence[Any],
    workers: int = 1,
    scheduler: str | None = None,
    on_done: Callable[[dict], None] | None = None,
) -> list[dict]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - dask is a dependency, but say what to do if it is gone
        raise InputError("the dask engine needs 'dask[distributed]': pip install 'dask[distributed]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # processes=True: the pipeline is CPU-bound Python; threads would serialize on the GIL.
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.WARNING
        )
        client = Client(cluster)
    try:
        client.run(init_worker, threads_per_worker(workers))
        futures = client.map(fn, list(tasks), pure=False)
        results = []
        for fut in as_completed(futures):
            result = fut.result()
            results.append(result)
            if on_done:
                on_done(result)
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
