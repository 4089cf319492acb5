"""The shipped model directory: what fine-tuning changed, with identity and checksums.

Layout of a model directory (``models/imnm-e5-lora``)::

    adapter.safetensors   LoRA weights of the encoder (peft naming)
    heads.safetensors     the four task heads
    meta.json             base model + sha256, LoRA config, label maps, temperatures, training data hash,
                          metrics, package version, creation time
    train_hashes.txt.gz   fingerprints of the training sentences (for the gold leak test)
    checksums.sha256      sha256 of every file above (``sha256sum -c`` format)

Contract: :func:`resolve_model_dir` finds the directory (explicit path, else ``$IMNM_MODEL_DIR``, else the
repository's ``models/imnm-e5-lora`` next to the package); :func:`read_meta` verifies checksums and the base
identity and returns ``meta.json``; every problem is a :class:`ModelError` that says how to get a good model.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from imnm_nlp.errors import ModelError
from imnm_nlp.model.labels import label_maps

MODEL_NAME = "imnm-e5-lora"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "models" / MODEL_NAME
ENV_VAR = "IMNM_MODEL_DIR"
FILES = ("adapter.safetensors", "heads.safetensors", "meta.json", "train_hashes.txt.gz")
CHECKSUMS = "checksums.sha256"
_HOW = ("rebuild it with `imnm-nlp train --out DIR` (about 30 minutes on 2 cores) or reinstall the package "
        "from the repository (the model ships in models/imnm-e5-lora); run with --no-model for rules only")


def resolve_model_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The model directory to use: ``path``, else ``$IMNM_MODEL_DIR``, else the repository's default."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_DIR


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_checksums(folder: Path) -> None:
    lines = [f"{sha256_file(folder / name)}  {name}" for name in FILES]
    (folder / CHECKSUMS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def verify(folder: Path) -> None:
    """Raise ModelError unless every file exists and matches ``checksums.sha256``."""
    if not folder.is_dir():
        raise ModelError(f"no model directory at {folder}: {_HOW}")
    listing = folder / CHECKSUMS
    if not listing.is_file():
        raise ModelError(f"{folder} has no {CHECKSUMS}; the model is incomplete: {_HOW}")
    expected: dict[str, str] = {}
    for line in listing.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            expected[name.strip()] = digest.strip()
    for name in FILES:
        path = folder / name
        if name not in expected or not path.is_file():
            raise ModelError(f"model file {path} is missing: {_HOW}")
        actual = sha256_file(path)
        if actual != expected[name]:
            raise ModelError(f"model file {path} is altered (sha256 {actual[:12]}…, expected {expected[name][:12]}…): {_HOW}")


def read_meta(folder: Path, check: bool = True) -> dict[str, Any]:
    """``meta.json`` of a verified model directory; checks the base checksum and the label maps."""
    from imnm_nlp.model.base import BASE_SHA256

    if check:
        verify(folder)
    path = folder / "meta.json"
    if not path.is_file():
        raise ModelError(f"model file {path} is missing: {_HOW}")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}): {_HOW}") from exc
    if meta.get("base", {}).get("sha256") != BASE_SHA256:
        raise ModelError(f"{folder} was trained on another base model ({meta.get('base')}); expected sha256 {BASE_SHA256}: {_HOW}")
    if meta.get("labels") != label_maps():
        raise ModelError(f"{folder} has other label maps than this package version: {_HOW}")
    return meta


def write_hashes(folder: Path, hashes: list[str]) -> None:
    with open(folder / "train_hashes.txt.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(("\n".join(sorted(set(hashes))) + "\n").encode("ascii"))


def read_hashes(folder: Path) -> set[str]:
    with gzip.open(folder / "train_hashes.txt.gz", "rt", encoding="ascii") as fh:
        return {line.strip() for line in fh if line.strip()}


__all__ = ["resolve_model_dir", "verify", "read_meta", "write_checksums", "write_hashes", "read_hashes", "DEFAULT_DIR", "ENV_VAR"]
