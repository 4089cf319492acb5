"""Lexicon loading, validation, lookup (zh ↔ en normalization), surfaces and ablation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from imnm_nlp.errors import ResourceError
from imnm_nlp.tagging.lexicon import LEXICON_FILES, load_lexicon, read_lexicon

RES = Path(__file__).resolve().parent.parent / "imnm_nlp" / "resources"


@pytest.fixture(scope="module")
def lex():
    return load_lexicon()


def _copy(tmp_path: Path) -> Path:
    for names in LEXICON_FILES.values():
        for name in names:
            shutil.copy(RES / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, fn) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_load_is_cached(lex):
    assert load_lexicon() is lex


def test_unknown_entry_key_is_an_error(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "drugs.json", lambda data: data["entries"][0].update({"synonyms": ["x"]}))
    with pytest.raises(ResourceError, match="unknown key"):
        read_lexicon(d)


def test_unknown_top_level_key_and_bad_json(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "diseases.json", lambda data: data.update({"entris": []}))
    with pytest.raises(ResourceError, match="unknown top-level"):
        read_lexicon(d)
    (d / "diseases.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ResourceError, match="not valid JSON"):
        read_lexicon(d)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda e: e.pop("canonical"), "missing or empty 'canonical'"),
        (lambda e: e.update({"mesh": "12345"}), "mesh"),
        (lambda e: e.update({"en": "prednisone"}), "list of non-empty strings"),
        (lambda e: e.update({"kind": "drug"}), "kind"),
        (lambda e: e.update({"canonical": "Prednisone"}), "lower case"),
        (lambda e: e.update({"class": "painkillers"}), "class"),
    ],
)
def test_drug_entry_validation(tmp_path, mutate, message):
    d = _copy(tmp_path)
    _edit(d / "drugs.json", lambda data: mutate(data["entries"][1]))
    with pytest.raises(ResourceError, match=message):
        read_lexicon(d)


def test_duplicate_id_and_ambiguous_form_are_errors(tmp_path):
    d = _copy(tmp_path)

    def dup(data):
        data["entries"].append(dict(data["entries"][1]))

    _edit(d / "drugs.json", dup)
    with pytest.raises(ResourceError, match="duplicate lexicon id"):
        read_lexicon(d)
    (tmp_path / "b").mkdir()
    d2 = _copy(tmp_path / "b")
    _edit(d2 / "drugs.json", lambda data: data["entries"][1]["zh"].append("甲氨蝶呤"))  # methotrexate's name on prednisone
    with pytest.raises(ResourceError, match="names both"):
        read_lexicon(d2)


def test_missing_file(tmp_path):
    d = _copy(tmp_path)
    (d / "antibodies.json").unlink()
    with pytest.raises(ResourceError, match="missing"):
        read_lexicon(d)


@pytest.mark.parametrize(
    "zh, en, canonical, label",
    [
        ("抗HMGCR抗体", "anti-HMGCR", "anti-HMGCR", "ANTIBODY"),
        ("抗3-羟基-3-甲基戊二酰辅酶A还原酶抗体", "anti-3-hydroxy-3-methylglutaryl-coenzyme A reductase", "anti-HMGCR", "ANTIBODY"),
        ("抗信号识别颗粒抗体", "anti-signal recognition particle antibodies", "anti-SRP", "ANTIBODY"),
        ("抗SRP抗体", "SRP antibodies", "anti-SRP", "ANTIBODY"),
        ("抗Jo-1抗体", "anti-Jo1 Ab", "anti-Jo-1", "ANTIBODY"),
        ("抗黑色素瘤分化相关基因5抗体", "anti-MDA5 autoantibodies", "anti-MDA5", "ANTIBODY"),
        ("抗TIF1-γ抗体", "anti-TIF1-gamma antibody", "anti-TIF1-γ", "ANTIBODY"),
        ("利妥昔单抗", "rituximab", "rituximab", "DRUG"),
        ("美罗华", "Rituximab", "rituximab", "DRUG"),
        ("静脉注射人免疫球蛋白", "IVIg", "intravenous immunoglobulin", "DRUG"),
        ("丙种球蛋白", "intravenous human immunoglobulin", "intravenous immunoglobulin", "DRUG"),
        ("他汀类药物", "statins", "statins", "DRUG"),
        ("阿托伐他汀", "atorvastatin", "atorvastatin", "DRUG"),
        ("环孢素", "CsA", "ciclosporin", "DRUG"),
        ("雷公藤多甙", "tripterygium glycosides", "tripterygium glycosides", "DRUG"),
        ("免疫检查点抑制剂", "immune checkpoint inhibitors", "immune checkpoint inhibitors", "DRUG"),
        ("抗PD-1抗体", "anti-PD-1 antibody", "pd-1 inhibitors", "DRUG"),
        ("皮肌炎", "dermatomyositis", "dermatomyositis", "DISEASE"),
        ("免疫介导坏死性肌病", "immune mediated necrotising myopathy", "immune-mediated necrotizing myopathy", "DISEASE"),
        ("间质性肺疾病", "interstitial lung diseases", "interstitial lung disease", "DISEASE"),
        ("横纹肌溶解", "rhabdomyolysis", "rhabdomyolysis", "DISEASE"),
    ],
)
def test_zh_and_en_normalize_to_the_same_entry(lex, zh, en, canonical, label):
    a, b = lex.lookup(zh, lang="zh"), lex.lookup(en, lang="en")
    assert a is not None and b is not None, (zh, en)
    assert (a.canonical, a.label, a.norm_id) == (b.canonical, b.label, b.norm_id) == (canonical, label, a.id)


def test_lookup_is_case_width_hyphen_insensitive_for_english(lex):
    base = lex.lookup("anti-HMGCR")
    for variant in ("ANTI-HMGCR", "anti HMGCR", "ａｎｔｉ－ＨＭＧＣＲ", "Anti‐HMGCR"):
        assert lex.lookup(variant) == base
    assert lex.lookup("抗ＨＭＧＣＲ抗体") == base
    assert lex.lookup("no such drug") is None
    assert lex.lookup("皮肌炎", label="DRUG") is None


def test_not_annotated_names_are_absent(lex):
    # ANNOTATION.md: ANA/抗核抗体 and symptoms are not entities
    for s in ("ANA", "抗核抗体", "antinuclear antibodies", "dysphagia", "吞咽困难", "muscle weakness", "rash", "皮疹"):
        assert lex.lookup(s) is None, s


def test_drug_canonicals_follow_annotation(lex):
    for e in lex.entries("DRUG"):
        assert e.canonical == e.canonical.lower()
    names = {e.canonical for e in lex.entries("DRUG")}
    for required in ("glucocorticoids", "immunosuppressants", "intravenous immunoglobulin", "subcutaneous immunoglobulin",
                     "statins", "immune checkpoint inhibitors", "jak inhibitors", "biologics", "ciclosporin",
                     "mycophenolate mofetil", "antimalarials", "calcineurin inhibitors", "tripterygium glycosides",
                     "antifibrotics", "efgartigimod", "eculizumab", "tofacitinib"):
        assert required in names, required
    assert lex.lookup("plasma exchange") is None and lex.lookup("血浆置换") is None


def test_agents_point_at_their_class(lex):
    assert lex.lookup("atorvastatin").cls == "statins"
    assert lex.lookup("prednisone").cls == "glucocorticoids"
    assert lex.lookup("tofacitinib").cls == "jak inhibitors"
    assert lex.lookup("dermatomyositis").icd10 == ("M33.1",)


def test_generated_gazetteers_lose_to_curated(lex):
    # CMeKG drugs/diseases broaden coverage, but a curated form is never re-assigned to a generated entry
    curated = [e for e in lex.entries() if e.origin == "curated"]
    for e in curated:
        for form in e.forms():
            found = lex.lookup(form, label=e.label)
            assert found is not None and found.origin == "curated", form
    gen = [e for e in lex.entries() if e.origin == "cmekg"]
    assert len(gen) > 1000
    assert lex.lookup("紫杉醇").canonical == "paclitaxel" and lex.lookup("paclitaxel").label == "DRUG"


def test_surfaces(lex):
    zh = lex.surfaces("zh")
    assert ("免疫介导坏死性肌病", "DISEASE") in zh and ("抗HMGCR抗体", "ANTIBODY") in zh and ("利妥昔单抗", "DRUG") in zh
    assert zh == sorted(set(zh))
    assert all(label in LEXICON_FILES for _, label in zh)
    en = lex.surfaces("en")
    assert ("IMNM", "DISEASE") in en and ("anti-HMGCR antibodies", "ANTIBODY") in en
    with pytest.raises(ResourceError):
        lex.surfaces("fr")


def test_without_is_seeded_and_only_drops_drug_antibody(lex):
    a, b, c = lex.without(0.25, seed=7), lex.without(0.25, seed=7), lex.without(0.25, seed=8)
    assert a.dropped == b.dropped != c.dropped
    pool = [e for e in lex.entries() if e.label in ("DRUG", "ANTIBODY") and e.origin == "curated"]
    assert len(a.dropped) == round(0.25 * len(pool))
    assert all(lex.get(i).origin == "curated" for i in a.dropped)  # generated gazetteers stay out of the pool
    assert len(a.entries("DISEASE")) == len(lex.entries("DISEASE"))
    gone = next(iter(a.dropped))
    assert a.get(gone) is None and lex.get(gone) is not None
    form = lex.get(gone).forms()[0]
    found = a.lookup(form)
    assert found is None or found.id != gone
    by_id = lex.without(["IMNM:DRUG:rituximab"])
    assert by_id.lookup("rituximab") is None and by_id.dropped == {"IMNM:DRUG:rituximab"}
    with pytest.raises(ResourceError):
        lex.without(["IMNM:DRUG:nope"])
    with pytest.raises(ResourceError):
        lex.without(1.5)
