"""Train a model from the command line with progress logging (what ``imnm-nlp train`` calls, plus options).

    .venv/bin/python scripts/train_model.py --out models/imnm-e5-lora             # the shipped model
    .venv/bin/python scripts/train_model.py --out /tmp/ablate --ablate 0.3         # lexicon ablation
    .venv/bin/python scripts/train_model.py --snapshot corpora/silver/silver.jsonl.gz --silver-only

``--silver-only`` writes the silver snapshot (``corpora/silver/``) and stops. ``--epochs``/``--layers`` are
for quick experiments; the shipped model uses the defaults of ``TrainConfig``.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from imnm_nlp.model.dataset import silver_examples
from imnm_nlp.model.silver import read_examples, write_examples
from imnm_nlp.model.train import TrainConfig, train


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("models/imnm-e5-lora"))
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--ablate", type=float, default=None)
    ap.add_argument("--epochs", type=float, default=None)
    ap.add_argument("--layers", type=int, default=None)
    ap.add_argument("--max-minutes", type=float, default=45.0)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--first-layer", type=int, default=None)
    ap.add_argument("--final-dev-max", type=int, default=None)
    ap.add_argument("--dev-eval-max", type=int, default=None)
    ap.add_argument("--snapshot", type=Path, default=None, help="write (or with --from-snapshot read) silver examples here")
    ap.add_argument("--from-snapshot", action="store_true")
    ap.add_argument("--silver-only", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    examples = None
    if args.from_snapshot and args.snapshot:
        examples = read_examples(args.snapshot)
    elif args.snapshot or args.silver_only:
        examples, _ = silver_examples(ablate=args.ablate, seed=args.seed)
        write_examples(examples, args.snapshot or Path("corpora/silver/silver.jsonl.gz"))
    if args.silver_only:
        return
    cfg = TrainConfig()
    if args.epochs is not None:
        cfg.epochs = args.epochs
    if args.layers is not None:
        cfg.num_layers = args.layers
    for name in ("threads", "first_layer", "final_dev_max", "dev_eval_max"):
        value = getattr(args, name)
        if value is not None:
            setattr(cfg, "lora_first_layer" if name == "first_layer" else name, value)
    metrics = train(args.out, seed=args.seed, max_minutes=args.max_minutes, ablate=args.ablate, config=cfg, examples=examples)
    print(json.dumps({k: v for k, v in metrics.items() if k != "history"}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
