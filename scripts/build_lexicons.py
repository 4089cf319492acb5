#!/usr/bin/env python3
"""Dev-time: enrich the bundled lexicons from CMeKG (Chinese trade names of drugs, ICD-10 codes of diseases).

Usage:
    python scripts/build_lexicons.py --cmekg /work/shared/corpora/cmekg [--check]

Reads ``imnm_nlp/resources/{drugs,diseases}.json`` (hand-curated), and:
  * DRUG agents: finds CMeKG drug records whose English product name contains the entry's INN as a word
    (single-ingredient products only: no "and"/"/"/"+" in the name) and whose Chinese generic name contains one
    of the entry's Chinese names; their ``trade_names`` become ``trade_zh`` (a trade name shared by two INNs is
    dropped as ambiguous);
  * DISEASE entries: a CMeKG disease whose Chinese name or alias equals one of the entry's Chinese forms gives
    its ICD-10 codes to ``icd10``.
It rewrites the files with one entry per line (stable diffs). ``--check`` only reports what would change.
The package never reads CMeKG at run time; the copied values are attributed in resources/ATTRIBUTION.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

RES = Path(__file__).resolve().parent.parent / "imnm_nlp" / "resources"
_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?$")
_LATIN = re.compile(r"[A-Za-z0-9]")
_FORM_WORDS = ("注射", "片", "胶囊", "颗粒", "软膏", "滴眼", "乳膏", "凝胶", "口服", "溶液", "贴", "霜", "（", "(")
# Two-character trade names are often ordinary words or parts of names (阿乐, 速易, 关平): only these
# well-known ones are kept.
_SHORT_OK = {"可定", "类克", "万珂", "密都"}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def dump(data: dict) -> str:
    """One entry per line, the other top-level keys as usual."""
    head = {k: v for k, v in data.items() if k not in ("entries", "blocked")}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    lines.append('  "entries": [')
    entries = [json.dumps(e, ensure_ascii=False) for e in data["entries"]]
    lines.append(",\n".join("    " + e for e in entries))
    lines.append("  ],")
    lines.append(f'  "blocked": {json.dumps(data.get("blocked", {}), ensure_ascii=False)}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def trade_names(drugs: dict, cmekg_drugs: list[dict]) -> dict[str, list[str]]:
    by_inn: dict[str, set[str]] = defaultdict(set)
    owners: dict[str, set[str]] = defaultdict(set)
    for e in drugs["entries"]:
        if e.get("kind") != "agent" or " " in e["canonical"] or "-" in e["canonical"]:
            continue
        inn = re.compile(rf"\b{re.escape(e['canonical'])}\b", re.IGNORECASE)
        zh = [z for z in e.get("zh", []) if len(z) >= 2]
        for rec in cmekg_drugs:
            en = " ".join(rec.get("en", []))
            if not inn.search(en) or re.search(r"\band\b|/|\+|&", en, re.IGNORECASE):
                continue
            generic = rec.get("generic_zh", []) + [rec.get("zh", "")]
            if zh and not any(z in g for z in zh for g in generic):
                continue
            names = list(rec.get("trade_names", []))
            if rec.get("zh") and not any(z in rec["zh"] for z in zh):  # the record's own name is a trade name
                names.append(rec["zh"])
            for t in names:
                t = t.strip()
                if (len(t) < 3 and t not in _SHORT_OK) or _LATIN.search(t) or any(w in t for w in _FORM_WORDS) or t in zh:
                    continue
                by_inn[e["id"]].add(t)
                owners[t].add(e["id"])
    return {i: sorted(t for t in ts if len(owners[t]) == 1) for i, ts in by_inn.items()}


def icd_codes(diseases: dict, cmekg_dis: list[dict]) -> dict[str, list[str]]:
    by_name: dict[str, set[str]] = defaultdict(set)
    for rec in cmekg_dis:
        for name in [rec["zh"], *rec.get("aliases", [])]:
            by_name[name].update(c for c in rec.get("icd10", []) if _ICD10.match(c))
    out = {}
    for e in diseases["entries"]:
        codes = sorted({c for z in e.get("zh", []) for c in by_name.get(z, ())})
        if codes:
            out[e["id"]] = codes
    return out


# ---------------------------------------------------------------- general gazetteers from CMeKG
_EN_FORMS = re.compile(
    r"\b(?:for\s+injection|injection|injecfior|tablets?|tables|capsules?|soft|hard|sustained[-\s—]?release|"
    r"extended[-\s—]?release|controlled[-\s—]?release|enteric[-\s—]?coated|dispersible|chewable|orally|"
    r"disintegrating|granules?|oral|solution|suspension|drops?|eye|ear|nasal|ointment|cream|gel|spray|inhalation|"
    r"aerosol|powder|suppositor(?:y|ies)|syrup|emulsion|lyophilized|freeze[-\s—]?dried|infusion|patch(?:es)?|"
    r"pills?|liniment|lotion|film[-\s—]?coated|coated|concentrate|glucose|sodium\s+chloride)\b", re.IGNORECASE)
_EN_SALTS = re.compile(
    r"\b(?:hydrochloride|dihydrochloride|sodium|calcium|potassium|magnesium|sulfate|sulphate|mesylate|"
    r"mesilate|maleate|tartrate|citrate|acetate|phosphate|besylate|besilate|succinate|fumarate|bromide|"
    r"hydrobromide|lactate|nitrate|malate|tosylate|hyclate|dipropionate|propionate|valerate|palmitate|"
    r"disodium|trihydrate|monohydrate|hydrate|arginine|lysine)\b", re.IGNORECASE)
_ZH_FORMS = re.compile(
    r"(?:注射液|注射用|粉针剂|粉针|冻干粉|片|胶囊|软胶囊|肠溶|缓释|控释|分散|咀嚼|泡腾|口腔崩解|颗粒|干混悬剂|混悬液|口服液|"
    r"口服溶液|溶液|滴眼液|滴耳液|滴鼻液|眼膏|软膏|乳膏|凝胶|栓|糖浆|气雾剂|喷雾剂|吸入剂|滴剂|贴|乳|散|丸|剂|液)")
_ZH_SALTS = re.compile(r"^(?:盐酸|硫酸|磷酸|枸橼酸|马来酸|甲磺酸|酒石酸|醋酸|琥珀酸|富马酸|乳酸|氢溴酸|苯磺酸|对甲苯磺酸)|"
                       r"(?:钠|钙|钾|镁|盐酸盐|磷酸盐|片|针)$")
# Product-name residues that are elements, nutrients, lab analytes or pinyin, not drug names in an abstract
_NOT_DRUGS = set("""chloride hydrogen marine rectal silver sulfur yeast thymus barium ferrous iodide iodate bismuth creatine
fructose glucose cystine taurine xylitol sorbitol calamine camphor oxygen water albumin selenite rutin squalene lysozyme
elastase pepsin papain pronase lactasin carbomer agysical alltride bawei biyuan bunao cidan dalitong dingpeng matena
shenshao prostat gavirin rifandin laclate inosine daidzein oryzanol docusate edetate zinc iron copper calcium magnesium
potassium sodium vitamin amino lecithin glycerol glycerin ethanol alcohol saline dextran gelatin starch lactose
sucrose trypsin urokinase pituitary concentrated aspartate glutamate deoxynucleotide collagenase""".split())
_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")


def _inn(name: str) -> str | None:
    """``MabThera（Rituximab Injection）`` → ``rituximab``; None for combinations, pinyin TCM, vaccines."""
    m = re.search(r"[（(]([^）)]+)[）)]", name)
    name = m.group(1) if m else name
    if re.search(r"\band\b|compound|/|\+|,|，|vaccine|vitamin|extract|\b(?:wan|pian|jiaonang|keli|gao|san|tang)\b", name, re.IGNORECASE):
        return None
    if not _EN_FORMS.search(name):
        return None  # no dosage form: CMeKG's drug file also holds diseases and bacteria ("gaucher disease")
    core = _EN_SALTS.sub(" ", _EN_FORMS.sub(" ", name.replace("—", "-")))
    core = re.sub(r"\s+", " ", core).strip(" -").lower()
    if not re.fullmatch(r"[a-z][a-z-]{4,}(?: acid)?", core) or re.search(r"drops|tablet|inject|capsul|ointment", core):
        return None  # one word (or "X acid"): two-word names are mostly pinyin TCM products
    return core


def _zh_generic(name: str) -> str | None:
    name = re.sub(r"[（(][^）)]*[）)]", "", name).strip()
    prev = None
    while prev != name:
        prev = name
        name = _ZH_SALTS.sub("", name)
        name = re.sub(rf"^注射用|{_ZH_FORMS.pattern}$", "", name)
    return name if len(name) >= 3 and _CJK_ONLY.match(name) and "复方" not in name else None


def _curated_keys() -> set[str]:
    sys.path.insert(0, str(RES.parent.parent))
    from imnm_nlp.tagging.view import fold_key

    keys = set()
    for name in ("antibodies.json", "drugs.json", "diseases.json"):
        for e in json.loads((RES / name).read_text(encoding="utf-8"))["entries"]:
            for k in ("canonical", "en", "zh", "abbr", "trade_zh", "trade_en"):
                vals = e.get(k, [])
                for v in [vals] if isinstance(vals, str) else vals:
                    keys.add(fold_key(v))
    return keys


def cmekg_drugs(cmekg_drugs: list[dict], curated: set[str]) -> dict:
    """Single-ingredient western drugs: English INN (canonical) + Chinese generic names (no TCM, no combos)."""
    from imnm_nlp.tagging.view import fold_key

    zh_by_inn: dict[str, set[str]] = defaultdict(set)
    inns_of_zh: dict[str, set[str]] = defaultdict(set)
    for rec in cmekg_drugs:
        if not rec.get("class") or any(c in ("中成药", "保健品") for c in rec.get("class", [])):
            continue
        inns = {i for i in (_inn(n) for n in rec.get("en", [])) if i}
        if len(inns) != 1:
            continue
        inn = inns.pop().replace("-", "")  # "thiamphen-icol": a line-break hyphen in the source
        own = rec.get("zh", "")
        names = rec.get("generic_zh", []) + ([own] if _ZH_FORMS.search(own) else [])  # else ``zh`` is a trade name
        zh = {z for z in (_zh_generic(g) for g in names) if z}
        zh_by_inn[inn].update(zh)
        for z in zh:
            inns_of_zh[z].add(inn)
    entries = []
    for inn in sorted(zh_by_inn):
        if fold_key(inn) in curated or inn in _NOT_DRUGS:
            continue
        zh = sorted(z for z in zh_by_inn[inn] if len(inns_of_zh[z]) == 1 and fold_key(z) not in curated)
        slug = re.sub(r"[^a-z0-9]+", "_", inn)
        entries.append({"id": f"IMNM:DRUG:cmekg_{slug}", "canonical": inn, "class": "other", "kind": "agent",
                        "en": [inn], "zh": zh})
    return {"label": "DRUG", "version": 1, "origin": "cmekg",
            "about": "General single-ingredient drugs derived from CMeKG (MIT; see ATTRIBUTION.md) by scripts/build_lexicons.py: English INN from the product name, Chinese generic names without dosage form or salt. Lower priority than drugs.json (which wins on any shared form) and outside the lexicon-ablation pool. Do not edit by hand: regenerate.",
            "entries": entries, "blocked": {}}


def _en_disease(name: str) -> str | None:
    name = re.sub(r"[（(][^）)]*[）)]", "", name).replace("—", "-").strip()
    name = re.sub(r"\s+", " ", name)
    if not re.fullmatch(r"[A-Za-z][A-Za-z' -]{3,}", name) or (" " not in name and len(name) > 22):
        return None  # glued words ("congenitalatresiaofbiliarytract") never match real text
    return name


# Symptoms that CMeKG files under a non-R ICD-10 code; ANNOTATION.md does not tag symptoms or signs
_SYMPTOMS = set("""diarrhea diarrhoea constipation tinnitus insomnia headache vertigo dizziness cough vomiting nausea pruritus
itching edema oedema hiccup dysphagia fever pain rash myalgia arthralgia fatigue dyspnea""".split()) | set(
    "腹泻 慢性腹泻 便秘 耳鸣 失眠 头痛 眩晕 头晕 咳嗽 呕吐 恶心 瘙痒 水肿 呃逆 吞咽困难 发热 疼痛 皮疹 肌无力 乏力 肌痛 关节痛".split())


def cmekg_diseases(cmekg_dis: list[dict], curated: set[str]) -> dict:
    """Chinese disease names with aliases, English names and ICD-10; symptoms (ICD-10 chapter R) excluded."""
    from imnm_nlp.tagging.view import fold_key

    owner: dict[str, int] = {}
    rows = []
    for i, rec in enumerate(cmekg_dis):
        codes = [c for c in rec.get("icd10", []) if _ICD10.match(c)]
        if any(c.startswith(("R", "Z")) for c in rec.get("icd10", [])):
            continue
        zh = [re.sub(r"[（(][^）)]*[）)]", "", z).strip() for z in [rec["zh"], *rec.get("aliases", [])]]
        zh = [z for z in zh if len(z) >= 2 and not re.search(r"[，,;；/]", z) and z not in _SYMPTOMS]
        en = [e for e in (_en_disease(n) for n in rec.get("en", [])) if e and e.lower() not in _SYMPTOMS]
        rows.append((i, zh, en, codes))
        for key in {fold_key(f) for f in zh + en}:
            owner[key] = i if key not in owner else -1  # a name of two diseases is ambiguous: dropped
    entries = []
    for i, zh, en, codes in rows:
        keep = lambda f: fold_key(f) not in curated and owner.get(fold_key(f)) == i  # noqa: E731
        zh, en = [z for z in zh if keep(z)], [e for e in en if keep(e)]
        if not zh and not en:
            continue
        canonical = en[0].lower() if en and not re.search(r"[A-Z].*[A-Z]", en[0]) else (en[0] if en else zh[0])
        e = {"id": f"IMNM:DIS:cmekg_{i}", "canonical": canonical, "class": "cmekg", "en": en, "zh": zh}
        if codes:
            e["icd10"] = codes
        entries.append(e)
    return {"label": "DISEASE", "version": 1, "origin": "cmekg",
            "about": "General disease names derived from CMeKG (MIT; see ATTRIBUTION.md) by scripts/build_lexicons.py: Chinese name and aliases, English names, ICD-10 codes; ICD-10 chapter R (symptoms and signs) left out per ANNOTATION.md. Lower priority than diseases.json (which wins on any shared form). Do not edit by hand: regenerate.",
            "entries": entries, "blocked": {}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmekg", type=Path, required=True, help="folder with drugs.jsonl and diseases.jsonl")
    ap.add_argument("--check", action="store_true", help="report only, do not rewrite")
    args = ap.parse_args()
    drugs = json.loads((RES / "drugs.json").read_text(encoding="utf-8"))
    diseases = json.loads((RES / "diseases.json").read_text(encoding="utf-8"))
    trades = trade_names(drugs, _jsonl(args.cmekg / "drugs.jsonl"))
    codes = icd_codes(diseases, _jsonl(args.cmekg / "diseases.jsonl"))
    for e in drugs["entries"]:
        if trades.get(e["id"]):
            e["trade_zh"] = trades[e["id"]]
    for e in diseases["entries"]:
        if codes.get(e["id"]):
            e["icd10"] = codes[e["id"]]
    print(f"trade_zh for {len(trades)} drugs: " + "; ".join(f"{k.split(':')[-1]}={v}" for k, v in sorted(trades.items())))
    print(f"icd10 for {len(codes)} diseases: " + "; ".join(f"{k.split(':')[-1]}={v}" for k, v in sorted(codes.items())))
    curated = _curated_keys()
    gen_drugs = cmekg_drugs(_jsonl(args.cmekg / "drugs.jsonl"), curated)
    gen_dis = cmekg_diseases(_jsonl(args.cmekg / "diseases.jsonl"), curated)
    print(f"general gazetteers: {len(gen_drugs['entries'])} drugs, {len(gen_dis['entries'])} diseases")
    if not args.check:
        (RES / "drugs.json").write_text(dump(drugs), encoding="utf-8")
        (RES / "diseases.json").write_text(dump(diseases), encoding="utf-8")
        (RES / "drugs_cmekg.json").write_text(dump(gen_drugs), encoding="utf-8")
        (RES / "diseases_cmekg.json").write_text(dump(gen_dis), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
