"""Training smoke test (2-layer base, a few sentences, a few steps) and the model directory round trip."""

from __future__ import annotations

import json

import pytest

from imnm_nlp.errors import ModelError
from imnm_nlp.extraction.hints import SentenceHint
from imnm_nlp.model.silver import Example
from imnm_nlp.model.train import TrainConfig, train

SENTS = [
    ("患者接受利妥昔单抗治疗后肌力改善。", "zh", [(4, 9, "DRUG")], (0, 1, 0), "effective", 0),
    ("抗HMGCR抗体阳性率为25%。", "zh", [(0, 8, "ANTIBODY"), (12, 15, "RATE")], (1, 0, 0), "none", 0),
    ("他汀类药物可能诱发免疫介导坏死性肌病。", "zh", [(0, 5, "DRUG"), (9, 18, "DISEASE")], (0, 0, 1), "none", 1),
    ("Rituximab was effective in refractory IMNM.", "en", [(0, 9, "DRUG"), (38, 42, "DISEASE")], (0, 1, 0), "effective", 0),
    ("Anti-SRP antibodies were found in 12 of 48 patients.", "en", [(0, 19, "ANTIBODY"), (34, 52, "RATE")], (1, 0, 0), "none", 0),
    ("Statins may induce necrotizing myopathy.", "en", [(0, 7, "DRUG"), (19, 39, "DISEASE")], (0, 0, 1), "none", 1),
    ("The patients were followed for two years.", "en", [], (0, 0, 0), "none", 0),
    ("IVIG was given to all patients.", "en", [(0, 4, "DRUG")], (0, 1, 0), "used", 0),
]


def _examples() -> list[Example]:
    out = []
    for i, (text, lang, spans, kind, claim, hedged) in enumerate(SENTS):
        for s, e, _ in spans:
            assert text[s:e].strip() == text[s:e] and e > s
        for split in ("train", "dev"):
            out.append(Example(f"t{i}{split}", f"doc{i}{split}", "test", lang, text, tuple(spans), (), kind, claim, hedged, split))
    return out


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    cfg = TrainConfig(epochs=8, batch_size=4, max_length=32, eval_every=4, patience=100, num_layers=2,
                      lr_lora=2e-3, lr_heads=1e-2, caps={}, zh_repeat=1, dev_eval_max=16, synthetic_per_lang=0)
    metrics = train(out, seed=3, max_minutes=2, config=cfg, examples=_examples())
    return out, metrics


def test_loss_falls_and_metrics_are_written(trained):
    out, metrics = trained
    assert metrics["steps"] == 16
    assert metrics["last_loss"] < 0.7 * metrics["first_loss"]
    on_disk = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert on_disk["steps"] == metrics["steps"]
    assert 0.0 <= on_disk["dev"]["spans"]["f1"] <= 1.0
    for name in ("adapter.safetensors", "heads.safetensors", "meta.json", "checksums.sha256", "train_hashes.txt.gz"):
        assert (out / name).is_file()
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["num_layers"] == 2 and len(meta["data_sha256"]) == 64
    assert set(meta["temperature"]) == {"kind", "claim", "hedged"}


def test_load_and_predict_invariants(trained):
    from imnm_nlp.model.infer import load_model

    out, _ = trained
    tagger = load_model(out)
    assert load_model(out) is tagger  # cached per directory
    inputs = [("Rituximab was effective.", "en"), ("", "en"), ("患者接受利妥昔单抗治疗。", "zh"), ("x" * 3000, "en")]
    preds = tagger.predict(inputs, batch_size=2)
    assert len(preds) == len(inputs)
    for (text, _), p in zip(inputs, preds):
        for s in p.spans:
            assert text[s.start : s.end] == s.text and s.source == "model" and 0 <= s.score <= 1
            assert s.text == s.text.strip()
        assert all(0 <= v <= 1 for v in [*p.kind.values(), *p.claim.values(), p.hedged, p.no_claim])
        assert abs(sum(p.claim.values()) + p.no_claim - 1) < 1e-3
        assert isinstance(p.hint(), SentenceHint)


def test_int8_model_is_quantized_and_close_to_fp32(trained):
    import torch

    from imnm_nlp.model.infer import load_model

    out, _ = trained
    fp32, int8 = load_model(out), load_model(out, quantize=True)
    assert int8 is not fp32 and load_model(out, quantize=True) is int8  # cached per precision
    assert int8.version == fp32.version + "-int8"
    from torch.ao.nn.quantized.dynamic import Linear as QLinear

    encoder = [m for name, m in int8.net.named_modules() if name.startswith("encoder.")]
    assert any(isinstance(m, QLinear) for m in encoder)
    assert not any(type(m) is torch.nn.Linear for m in encoder)  # every encoder Linear is now int8
    assert isinstance(int8.net.heads.token, torch.nn.Linear)  # heads stay fp32
    inputs = [(t, lang) for t, lang, *_ in SENTS]
    _, raw32 = fp32.predict_raw(inputs)
    _, raw8 = int8.predict_raw(inputs)
    for k in ("kind", "claim", "hedged"):  # int8 rounding moves logits a little, never wildly
        assert abs(raw32[k] - raw8[k]).max() < 1.0


def test_altered_model_is_refused(trained, tmp_path):
    import shutil

    from imnm_nlp.model.artifact import read_meta

    out, _ = trained
    copy = tmp_path / "m"
    shutil.copytree(out, copy)
    with open(copy / "heads.safetensors", "r+b") as fh:
        fh.seek(-4, 2)
        fh.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelError, match="altered"):
        read_meta(copy)
    (copy / "adapter.safetensors").unlink()
    with pytest.raises(ModelError, match="imnm-nlp train"):
        read_meta(copy)


def test_missing_model_dir(tmp_path, monkeypatch):
    from imnm_nlp.model.infer import model_version

    monkeypatch.setenv("IMNM_MODEL_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ModelError, match="imnm-nlp train"):
        model_version()
