#!/usr/bin/env python3
"""Regenerate the reader test fixtures and the bundled demo corpus from the real data in /work/shared.

Dev-time only (the package never runs it). Deterministic: same inputs, same bytes (gzip mtime 0).

    .venv/bin/python scripts/make_fixtures.py [--shared /work/shared]

Writes ``tests/fixtures/readers/`` (small files in every input format, plus bad inputs) and
``corpora/demo/`` (PubMed XML .gz, CNKI RefWorks GB18030, NoteExpress UTF-8, JSONL). Real texts only:
EpiSet classify_test abstracts (English), CSL medical abstracts (Chinese), the seed article (zh + en).
The external real files under ``tests/fixtures/readers/external/`` are copied by hand (see SOURCE.md).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "readers"
DEMO = ROOT / "corpora" / "demo"
SEED_DOI = "10.16150/j.1671-2870.2024.03.004"
SEED_JOURNAL = "诊断学理论与实践"
FAKE_PMID = 90000000  # placeholder PMIDs: EpiSet abstracts come without their PMIDs


def load(shared: Path) -> tuple[list[tuple[str, str, int]], list[dict], dict[str, dict]]:
    episet = []
    with open(shared / "corpora/episet/classify_test.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            text = row["abstract"].strip()
            # The TSV joins "Title. Abstract": the title is the first sentence.
            match = re.match(r"^(.+?[.?!])\s+(.*)$", text, flags=re.S)
            title, abstract = (match.group(1), match.group(2)) if match else (text, "")
            episet.append((title, abstract, int(row["label"])))
    csl = [json.loads(line) for line in open(shared / "corpora/csl-medical/medical.jsonl", encoding="utf-8")]
    seed = {d["id"]: d for d in map(json.loads, open(shared / "spec/seed.gold.jsonl", encoding="utf-8"))}
    return episet, csl, seed


# ------------------------------------------------------------------------------------------------ PubMed XML

def article_xml(pmid: int, title: str, abstract: list[tuple[str | None, str]], *, version: int = 1,
                language: str = "eng", vernacular: str | None = None, other_zh: str | None = None,
                journal: str | None = None, year: int | None = None, doi: str | None = None) -> str:
    parts = [f'<PubmedArticle>\n<MedlineCitation Status="MEDLINE" Owner="NLM">\n<PMID Version="{version}">{pmid}</PMID>\n<Article PubModel="Print">']
    if journal:
        parts.append(f"<Journal><JournalIssue CitedMedium=\"Print\"><PubDate><Year>{year}</Year></PubDate></JournalIssue>"
                     f"<Title>{escape(journal)}</Title></Journal>")
    parts.append(f"<ArticleTitle>{escape(title)}</ArticleTitle>")
    if doi:
        parts.append(f'<ELocationID EIdType="doi" ValidYN="Y">{escape(doi)}</ELocationID>')
    if abstract:
        parts.append("<Abstract>")
        for label, text in abstract:
            attr = f' Label="{label}"' if label else ""
            parts.append(f"<AbstractText{attr}>{escape(text)}</AbstractText>")
        parts.append("</Abstract>")
    parts.append(f"<Language>{language}</Language>")
    if vernacular:
        parts.append(f"<VernacularTitle>{escape(vernacular)}</VernacularTitle>")
    parts.append("</Article>")
    if other_zh:
        parts.append(f'<OtherAbstract Type="Publisher" Language="chi"><AbstractText>{escape(other_zh)}</AbstractText></OtherAbstract>')
    parts.append("</MedlineCitation>\n</PubmedArticle>")
    return "\n".join(parts)


def pubmed_set(articles: list[str], deleted: list[int] = ()) -> str:
    body = "\n".join(articles)
    if deleted:
        body += "\n<DeleteCitation>\n" + "\n".join(f'<PMID Version="1">{p}</PMID>' for p in deleted) + "\n</DeleteCitation>"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
            '1st January 2024//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n'
            f"<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n")


def seed_article(seed: dict[str, dict], pmid: int) -> str:
    en, zh = seed["seed-en"], seed["seed-zh"]
    return article_xml(pmid, en["title"], [(None, en["text"])], language="chi", vernacular=zh["title"],
                       other_zh=zh["text"], journal="Zhenduanxue lilun yu shijian", year=2024, doi=SEED_DOI)


def gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as fh:
        fh.write(data)
    return buf.getvalue()


def structured(abstract: str) -> list[tuple[str | None, str]]:
    """Split a real abstract into two labelled parts at a sentence boundary near the middle (test of Label)."""
    cuts = [m.end() for m in re.finditer(r"\.\s", abstract)]
    if not cuts:
        return [(None, abstract)]
    cut = min(cuts, key=lambda c: abs(c - len(abstract) / 2))
    return [("BACKGROUND", abstract[:cut].strip()), ("RESULTS", abstract[cut:].strip())]


# ------------------------------------------------------------------------------------------------ CNKI family

def cnki_records(csl: list[dict], seed: dict[str, dict]) -> list[dict]:
    """Records as dicts: zh title/abstract, optional en title/abstract, keywords, journal, year, doi."""
    zh, en = seed["seed-zh"], seed["seed-en"]
    out = [{"title": zh["title"], "abstract": zh["text"], "title_en": en["title"], "abstract_en": en["text"],
            "keywords": ["免疫介导坏死性肌病", "特发性炎性肌病", "诊断", "治疗"], "journal": SEED_JOURNAL,
            "year": "2024", "volume": "23", "issue": "03", "pages": "270-277", "doi": SEED_DOI}]
    for rec in csl:
        out.append({"title": rec["title"], "abstract": rec["abstract"], "keywords": rec["keywords"]})
    return out


def refworks(recs: list[dict]) -> str:
    blocks = []
    for r in recs:
        lines = ["RT Journal Article", "SR 1", f"T1 {r['title']}"]
        if r.get("journal"):
            lines += [f"JF {r['journal']}", f"YR {r['year']}", f"VO {r['volume']}", f"IS {r['issue']}", f"OP {r['pages']}"]
        lines.append("K1 " + ";".join(r["keywords"]))
        lines.append(f"AB {r['abstract']}")
        if r.get("abstract_en"):
            lines.append(f"AB {r['abstract_en']}")
        if r.get("doi"):
            lines.append(f"DO {r['doi']}")
        lines += ["LA chi", "DS CNKI"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def endnote(recs: list[dict]) -> str:
    blocks = []
    for r in recs:
        lines = ["%0 Journal Article", f"%T {r['title']}"]
        if r.get("title_en"):
            lines.append(f"%Q {r['title_en']}")
        if r.get("journal"):
            lines += [f"%J {r['journal']}", f"%D {r['year']}", f"%V {r['volume']}", f"%N {r['issue']}"]
        lines += ["%K " + ";".join(r["keywords"]), f"%X {r['abstract']}"]
        if r.get("abstract_en"):
            lines.append(f"%X {r['abstract_en']}")
        if r.get("doi"):
            lines.append(f"%R {r['doi']}")
        lines.append("%W CNKI")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def noteexpress(recs: list[dict], colon: str = ":") -> str:
    blocks = []
    for r in recs:
        lines = [f"{{Reference Type}}{colon} Journal Article", f"{{Title}}{colon} {r['title']}"]
        if r.get("title_en"):
            lines.append(f"{{Translated Title}}{colon} {r['title_en']}")
        if r.get("journal"):
            lines += [f"{{Journal}}{colon} {r['journal']}", f"{{Year}}{colon} {r['year']}",
                      f"{{Volume}}{colon} {r['volume']}", f"{{Issue}}{colon} {r['issue']}", f"{{Pages}}{colon} {r['pages']}"]
        lines += [f"{{Keywords}}{colon} " + ";".join(r["keywords"]), f"{{Abstract}}{colon} {r['abstract']}"]
        if r.get("abstract_en"):
            lines.append(f"{{Translated Abstract}}{colon} {r['abstract_en']}")
        if r.get("doi"):
            lines.append(f"{{DOI}}{colon} {r['doi']}")
        lines.append(f"{{Database Provider}}{colon} CNKI")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def estudy(recs: list[dict]) -> str:
    lines = []
    for r in recs:
        lines += ["DataType: 1", f"Title-题名: {r['title']}"]
        if r.get("journal"):
            lines += [f"Source-刊名: {r['journal']}", "Year-年: ", f"PubTime-出版时间: {r['year']}-06-25"]
        lines += ["Keyword-关键词: " + ";".join(r["keywords"]), f"Summary-摘要: {r['abstract']}", "SrcDatabase-来源库: 期刊"]
    return "\n".join(lines) + "\n"


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


# ------------------------------------------------------------------------------------------------ writers

def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))


def make_fixtures(episet: list, csl: list[dict], seed: dict[str, dict], shared: Path) -> None:
    shutil.copyfile(shared / "corpora/pubmed-xml/pubmed-29768149.xml", FIX / "pubmed-29768149.xml")
    t0, a0, _ = episet[0]
    t1, a1, _ = episet[1]
    t2, _, _ = episet[2]
    articles = [
        article_xml(FAKE_PMID + 1, t0, [(None, a0)]),
        article_xml(FAKE_PMID + 2, t1, structured(a1), version=2),
        seed_article(seed, FAKE_PMID + 3),
        article_xml(FAKE_PMID + 4, t2, []),  # a real title whose record has no abstract
    ]
    multi = pubmed_set(articles, deleted=[FAKE_PMID + 90, FAKE_PMID + 91])
    write(FIX / "pubmed_multi.xml", multi)
    write(FIX / "pubmed_multi.xml.gz", gz(multi.encode("utf-8")))
    compressed = gz(multi.encode("utf-8"))
    write(FIX / "bad" / "pubmed_truncated.xml.gz", compressed[: int(len(compressed) * 0.8)])
    cut = multi.index("<PubmedArticle>", multi.index(f">{FAKE_PMID + 3}<"))  # after 3 good articles
    write(FIX / "bad" / "pubmed_broken.xml", multi[:cut] + "<PubmedArticle><MedlineCitation><PMID>1</PMID></Article>\n" + multi[cut:])
    write(FIX / "bad" / "pubmed_missing_pmid.xml", pubmed_set([articles[0].replace(f"<PMID Version=\"1\">{FAKE_PMID + 1}</PMID>", ""), articles[1]]))
    write(FIX / "bad" / "pubmed_dup_a.xml", pubmed_set([articles[0]]))
    write(FIX / "bad" / "pubmed_dup_b.xml", pubmed_set([articles[0].replace('Version="1"', 'Version="2"')]))

    recs = cnki_records(csl[:3], seed)
    write(FIX / "cnki" / "refworks_utf8.txt", refworks(recs))
    write(FIX / "cnki" / "refworks_gb18030.txt", crlf(refworks(recs)), "gb18030")
    write(FIX / "cnki" / "endnote_utf8bom.txt", endnote(recs), "utf-8-sig")
    write(FIX / "cnki" / "endnote_gb18030.txt", crlf(endnote(recs)), "gb18030")
    write(FIX / "cnki" / "noteexpress_utf8.net", noteexpress(recs), "utf-8")
    write(FIX / "cnki" / "noteexpress_fullwidth_bom.net", crlf(noteexpress(recs, "：")), "utf-8-sig")
    write(FIX / "cnki" / "noteexpress_gb18030.net", crlf(noteexpress(recs)), "gb18030")
    write(FIX / "cnki" / "estudy_gb18030.txt", crlf(estudy(recs)), "gb18030")
    write(FIX / "cnki" / "estudy_utf8bom.txt", estudy(recs), "utf-8-sig")
    # A record with no title and no abstract between two good ones.
    write(FIX / "bad" / "refworks_bad_record.txt", refworks(recs[1:2]) + "\nRT Journal Article\nSR 1\nJF 某期刊\n\n" + refworks(recs[2:3]))

    gold = [json.dumps({k: seed[i][k] for k in ("id", "lang", "source", "pmid", "doi", "title", "text", "entities")}, ensure_ascii=False)
            for i in ("seed-zh", "seed-en")]
    sections = json.dumps({"id": "pmid:90000003", "title": seed["seed-en"]["title"], "sections": [
        {"name": "abstract", "text": seed["seed-en"]["text"], "lang": "en"},
        {"name": "abstract", "text": seed["seed-zh"]["text"]}]}, ensure_ascii=False)
    write(FIX / "jsonl" / "gold_like.jsonl", "\n".join(gold) + "\n")
    write(FIX / "jsonl" / "mixed.jsonl", "\n".join([gold[0], "{not json", "[1, 2]", sections, '{"id": "x", "lang": "fr", "text": "bonjour"}', ""]) + "\n")

    write(FIX / "text" / "one_doc.txt", crlf(f"{t0}\n\n{a0}\n"))
    write(FIX / "text" / "blocks.txt", f"{a0}\n\n{a1}\n\n{csl[0]['abstract']}\n")
    write(FIX / "bad" / "empty.txt", b"")
    write(FIX / "bad" / "junk.bin", bytes(range(256)) * 4)
    write(FIX / "bad" / "undecodable.txt", b"Title: caf\x80 \xff\xfe latin-1 or worse\n")


def make_demo(episet: list, csl: list[dict], seed: dict[str, dict]) -> None:
    # English: all epidemiology abstracts and every myositis/myopathy one (the demo's subject), then the seed.
    chosen = [e for e in episet if e[2] == 1 or re.search(r"myosit|myopath", e[0] + e[1], re.I)][:55]
    articles = [article_xml(FAKE_PMID + 100 + i, t, [(None, a)] if a else []) for i, (t, a, _) in enumerate(chosen)]
    articles.append(seed_article(seed, FAKE_PMID + 3))
    write(DEMO / "pubmed_demo.xml.gz", gz(pubmed_set(articles).encode("utf-8")))
    # Chinese: prefer abstracts with figures, rates and drugs (what the extractors look for).
    scored = sorted(csl, key=lambda r: (-(("%" in r["abstract"]) + ("发病率" in r["abstract"]) * 2 + ("他汀" in r["abstract"]) * 3), r["id"]))
    picked = scored[:30]
    recs = cnki_records(picked, seed)
    write(DEMO / "cnki_refworks_gb18030.txt", crlf(refworks(recs[:16])), "gb18030")  # the seed + 15
    write(DEMO / "noteexpress_utf8.net", noteexpress(recs[16:]), "utf-8")  # 15 more
    rest = [e for e in episet if e not in chosen][:4]
    lines = [json.dumps({"id": f"episet-{i}", "title": t, "text": a, "lang": "en"}, ensure_ascii=False) for i, (t, a, _) in enumerate(rest)]
    write(DEMO / "abstracts.jsonl", "\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    args = parser.parse_args()
    episet, csl, seed = load(args.shared)
    make_fixtures(episet, csl, seed, args.shared)
    make_demo(episet, csl, seed)


if __name__ == "__main__":
    main()
