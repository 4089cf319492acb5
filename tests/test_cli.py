"""The CLI through typer's runner: help, usage errors (exit 2), a real run, read, evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imnm_nlp.cli import app

runner = CliRunner()
FIX = Path(__file__).parent / "fixtures" / "readers"
GOLD = Path(__file__).parent.parent / "corpora" / "gold" / "dev.jsonl"


@pytest.mark.parametrize("cmd", [[], ["extract"], ["read"], ["evaluate"], ["review", "apply"], ["report"], ["train"], ["bench"], ["export"]])
def test_help_is_complete(cmd: list[str]) -> None:
    res = runner.invoke(app, [*cmd, "--help"])
    assert res.exit_code == 0
    assert "Usage" in res.output


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["extract", str(tmp_path / "nope.xml"), "--out", str(tmp_path / "o"), "--no-model"])
    assert res.exit_code == 2
    assert "not found" in res.output and "nope.xml" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["extract", str(FIX / "pubmed_multi.xml"), "--out", str(tmp_path), "--format", "docx", "--no-model"])
    assert res.exit_code == 2
    assert "docx" in res.output and "pubmed-xml" in res.output


def test_extract_writes_the_four_outputs(tmp_path: Path) -> None:
    res = runner.invoke(app, ["extract", str(FIX / "pubmed_multi.xml"), str(FIX / "cnki" / "refworks_gb18030.txt"),
                              "--out", str(tmp_path), "--no-model"])
    assert res.exit_code == 0, res.output
    for name in ("records.jsonl", "claims.csv", "errors.jsonl", "manifest.json"):
        assert (tmp_path / name).is_file()
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    assert manifest["counts"]["documents"]["total"] >= 4
    assert any(line.startswith(b"\xef\xbb\xbf") for line in [(tmp_path / "claims.csv").read_bytes()[:3]])


def test_read_dumps_documents(tmp_path: Path) -> None:
    out = tmp_path / "docs.jsonl"
    res = runner.invoke(app, ["read", str(FIX / "cnki" / "noteexpress_gb18030.net"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    docs = [json.loads(line) for line in out.open(encoding="utf-8")]
    assert docs and all(d["encoding"] for d in docs)
    assert any(s["lang"] == "zh" for d in docs for s in d["sections"])


def test_evaluate_prints_contract_json(tmp_path: Path) -> None:
    gold = tmp_path / "g.jsonl"
    gold.write_text("\n".join(GOLD.read_text("utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    preds = tmp_path / "pred.jsonl"
    res = runner.invoke(app, ["evaluate", "--gold", str(gold), "--json", "--no-model", "--predictions", str(preds)])
    assert res.exit_code == 0, res.output
    metrics = json.loads(res.output)
    assert metrics["docs"] == 3
    for task in ("entities", "epi", "treatments"):
        assert {"p", "r", "f1"} <= set(metrics[task])
    assert "by_label" in metrics["entities"] and "by_lang" in metrics["entities"]
    assert "region_acc" in metrics["epi"]
    assert len(preds.read_text("utf-8").splitlines()) == 3


def test_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and "imnm-nlp" in res.output
