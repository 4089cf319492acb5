"""Synthetic training sentences: hand-written templates filled with lexicon names (documented, train only).

Why: the real training corpora (CSL medical abstracts, EpiSet, BC5CDR) contain no myositis antibodies, no
HLA alleles and almost no Chinese drug names, because the myositis documents among them were taken for the
gold files (and are excluded from training). Without examples of a label the model cannot learn it. These
templates put the lexicon's names (ANTIBODY, DRUG, DISEASE), generated HLA names and rates into sentences
shaped like abstract sentences, in both languages, with their spans and sentence labels known by
construction. They are **synthetic**: they are marked ``source="synthetic"``, used for training only (never
for dev scores), and kept to a minority of the training sentences. In the lexicon-ablation experiment the
names come from the ablated lexicon, so held-out names never appear in them.

Contract: :func:`synthetic_examples` returns ``n_per_lang`` examples per language, deterministic for a seed.
"""

from __future__ import annotations

import random
import re
from typing import Any

from imnm_nlp.model.silver import Example

# (template, kind (epi, treatment, risk_factor), claim, hedged). Slots: {AB} {AB2} {DRUG} {DRUG2} {DIS} {DIS2}
# {HLA}; RATE slots {PCT} {PCT2} (percentages, k/n counts) and {POP} {POP2} (population rates); {N} is a plain
# number (not an entity).
EN = [
    ("{AB} were detected in {PCT} of patients with {DIS}.", (1, 0, 0), "none", 0),
    ("The prevalence of {DIS} was {POP} in this region.", (1, 0, 0), "none", 0),
    ("The annual incidence of {DIS} was estimated at {POP}.", (1, 0, 0), "none", 0),
    ("{AB} was positive in {PCT}, and {AB2} in {PCT2}.", (1, 0, 0), "none", 0),
    ("Patients with {DIS} were treated with {DRUG} and {DRUG2}.", (0, 1, 0), "used", 0),
    ("{DRUG} was given to {N} patients with refractory {DIS}.", (0, 1, 0), "used", 0),
    ("Treatment with {DRUG} led to clinical improvement in {PCT} of patients.", (1, 1, 0), "effective", 0),
    ("{DRUG} was effective in patients with {AB}-positive {DIS}.", (0, 1, 0), "effective", 0),
    ("Remission was achieved after {DRUG} in most patients with {DIS}.", (0, 1, 0), "effective", 0),
    ("{DRUG} may be beneficial in {DIS} refractory to {DRUG2}.", (0, 1, 0), "effective", 1),
    ("The disease was refractory to {DRUG} and {DRUG2}.", (0, 1, 0), "ineffective", 0),
    ("Despite treatment with {DRUG}, muscle weakness persisted.", (0, 1, 0), "ineffective", 0),
    ("{DRUG} was discontinued because of hepatotoxicity.", (0, 1, 0), "adverse", 0),
    ("{DRUG} should be considered as first-line therapy for {DIS}.", (0, 1, 0), "recommended", 0),
    ("Exposure to {DRUG} was associated with {DIS}.", (0, 0, 1), "none", 0),
    ("{DRUG} might trigger {AB}-positive {DIS} in genetically susceptible individuals.", (0, 0, 1), "none", 1),
    ("{HLA} was a risk factor for {DIS} (odds ratio {N}).", (0, 0, 1), "none", 0),
    ("Carriers of {HLA} had a higher risk of developing {AB}.", (0, 0, 1), "none", 0),
    ("{HLA} was found in {PCT} of patients and {PCT2} of controls.", (1, 0, 1), "none", 0),
    ("{DIS} is characterized by proximal muscle weakness and elevated creatine kinase.", (0, 0, 0), "none", 0),
    ("{AB} are strongly associated with {DIS}.", (0, 0, 0), "none", 0),
    ("Serum {AB} levels correlated with disease activity in {DIS}.", (0, 0, 0), "none", 0),
    ("{DIS} and {DIS2} were the most common extramuscular manifestations.", (0, 0, 0), "none", 0),
    ("Mortality among patients with {DIS} was {PCT}.", (1, 0, 0), "none", 0),
    ("These findings suggest that {AB} could be a useful biomarker in {DIS}.", (0, 0, 0), "none", 1),
]
ZH = [
    ("{DIS}患者中{AB}阳性率为{PCT}。", (1, 0, 0), "none", 0),
    ("{DIS}的发病率为{POP}，患病率为{POP2}。", (1, 0, 0), "none", 0),
    ("本组{N}例患者中，{AB}阳性{PCT}。", (1, 0, 0), "none", 0),
    ("{AB}与{DIS}密切相关。", (0, 0, 0), "none", 0),
    ("患者接受{DRUG}联合{DRUG2}治疗。", (0, 1, 0), "used", 0),
    ("给予{DRUG}治疗后，患者肌力明显改善。", (0, 1, 0), "effective", 0),
    ("{DRUG}治疗{DIS}有效率为{PCT}。", (1, 1, 0), "effective", 0),
    ("对于难治性{DIS}患者，可能采用{DRUG}治疗。", (0, 1, 0), "used", 1),
    ("{DRUG}可能对{DIS}有效。", (0, 1, 0), "effective", 1),
    ("尽管使用{DRUG}治疗，患者症状仍无改善。", (0, 1, 0), "ineffective", 0),
    ("患者对{DRUG}反应不佳，改用{DRUG2}。", (0, 1, 0), "ineffective", 0),
    ("使用{DRUG}后出现肝功能损害等不良反应。", (0, 1, 0), "adverse", 0),
    ("推荐{DRUG}作为{DIS}的一线治疗。", (0, 1, 0), "recommended", 0),
    ("长期使用{DRUG}可诱发{DIS}。", (0, 0, 1), "none", 0),
    ("{DRUG}可能诱发{AB}阳性的{DIS}。", (0, 0, 1), "none", 1),
    ("携带{HLA}者发生{DIS}的风险增加。", (0, 0, 1), "none", 0),
    ("{HLA}是{DIS}的易感等位基因。", (0, 0, 1), "none", 0),
    ("{HLA}在患者组中的频率为{PCT}，对照组为{PCT2}。", (1, 0, 1), "none", 0),
    ("{DIS}常合并{DIS2}。", (0, 0, 0), "none", 0),
    ("{DIS}以对称性四肢近端肌无力为主要表现。", (0, 0, 0), "none", 0),
    ("{AB}检测有助于{DIS}的诊断。", (0, 0, 0), "none", 0),
    ("{DIS}患者的病死率为{PCT}。", (1, 0, 0), "none", 0),
    ("{DRUG}与{DRUG2}联合使用可提高疗效。", (0, 1, 0), "effective", 0),
]
_SLOT = re.compile(r"\{(AB2?|DRUG2?|DIS2?|HLA|PCT2?|POP2?|N)\}")
_LABEL = {"AB": "ANTIBODY", "DRUG": "DRUG", "DIS": "DISEASE", "HLA": "HLA_ALLELE", "PCT": "RATE", "POP": "RATE"}


def _hla(rng: random.Random) -> str:
    a, b = rng.choice([3, 4, 7, 8, 11, 13, 15, 16]), rng.randint(1, 12)
    return rng.choice([
        f"HLA-DRB1*{a:02d}:{b:02d}", f"DRB1*{a:02d}:{b:02d}", f"HLA-DRB1*{a:02d}", f"HLA-DRB1*{a:02d}{b:02d}",
        f"HLA-DR{rng.choice([3, 4, 7, 11, 52])}", f"HLA-B*{rng.choice([8, 27, 51, 57])}:{b:02d}",
        f"HLA-DQA1*0{rng.randint(1, 6)}:{b:02d}", f"HLA-B{rng.choice([8, 27, 51])}",
    ])


def _rate(rng: random.Random, lang: str, population: bool) -> str:
    if population:
        y = rng.uniform(0.1, 30)
        en = [f"{y:.2f} per 100,000", f"{y:.1f} per million person-years", f"{y:.1f} per 100 000 person-years",
              f"{y:.1f} per 100,000 inhabitants"]
        zh = [f"{y:.2f}/10万", f"{y:.1f}/100万", f"每10万人{y:.1f}例", f"{y:.2f}/10万人年"]
    else:
        k, n = rng.randint(2, 60), rng.randint(61, 400)
        x = rng.choice([rng.uniform(0.5, 95), rng.uniform(0.1, 9.9)])
        en = [f"{x:.1f}%", f"{round(x)}%", f"{k}/{n}", f"{x:.2f}%"]
        zh = [f"{x:.1f}%", f"{round(x)}%", f"{x:.1f}％", f"{k}/{n}"]
    return rng.choice(en if lang == "en" else zh)


def _name_pools(lexicon: Any, lang: str) -> dict[str, list[list[str]]]:
    """Per slot kind, a list of entries, each a list of its written forms in ``lang`` (one entry is drawn
    uniformly, then one of its forms: frequent families do not drown the rare ones)."""
    pools: dict[str, list[list[str]]] = {}
    for slot, label in (("AB", "ANTIBODY"), ("DRUG", "DRUG"), ("DIS", "DISEASE")):
        forms = [list(e.forms(lang)) for e in lexicon.entries(label)]
        pools[slot] = [f for f in forms if f]
    return pools


def fill(template: str, rng: random.Random, pools: dict[str, list[list[str]]], lang: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Fill one template; return the text and its entity spans."""
    out, spans, pos, used = [], [], 0, set()
    for m in _SLOT.finditer(template):
        out.append(template[pos : m.start()])
        start = sum(len(p) for p in out)
        slot = m.group(1)
        base = slot.rstrip("2")
        if base == "N":
            value = str(rng.randint(3, 120))
        elif base == "HLA":
            value = _hla(rng)
        elif base in ("PCT", "POP"):
            value = _rate(rng, lang, population=base == "POP")
        else:
            for _ in range(10):  # two slots of one kind get different names
                forms = rng.choice(pools[base])
                if template[m.end() :].startswith("-"):  # "{AB}-positive": the bare name, not "... antibodies"
                    forms = [f for f in forms if "antibod" not in f.lower()] or forms
                value = rng.choice(forms)
                if value not in used:
                    break
            used.add(value)
        out.append(value)
        if base != "N":
            spans.append((start, start + len(value), _LABEL[base]))
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), spans


def synthetic_examples(lexicon: Any, n_per_lang: int = 800, seed: int = 13) -> list[Example]:
    """``n_per_lang`` filled templates per language (train split, source ``synthetic``)."""
    rng = random.Random(seed)
    examples = []
    for lang, templates in (("en", EN), ("zh", ZH)):
        pools = _name_pools(lexicon, lang)
        for i in range(n_per_lang):
            template, kind, claim, hedged = templates[i % len(templates)]
            text, spans = fill(template, rng, pools, lang)
            if lang == "en":
                text = text[0].upper() + text[1:]
            examples.append(Example(f"synthetic-{lang}-{i}", f"synthetic-{lang}-{i // 10}", "synthetic", lang, text,
                                    tuple(spans), (), kind, claim, hedged, "train"))
    return examples


__all__ = ["synthetic_examples", "fill", "EN", "ZH"]
