"""Behaviour tests of the readers: detection, encodings, bad input, streaming, duplicates, CNKI languages."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from imnm_nlp.errors import InputError, ReaderError
from imnm_nlp.readers import FORMATS, iter_input_files, read_documents
from imnm_nlp.readers._common import detect_lang
from imnm_nlp.readers.detect import decode_bytes, detect_format
from imnm_nlp.records import Document, ReadIssue

FIX = Path(__file__).parent / "fixtures" / "readers"
SEED_DOI = "10.16150/j.1671-2870.2024.03.004"


def read(*paths: Path | str, fmt: str = "auto") -> tuple[list[Document], list[ReadIssue]]:
    issues: list[ReadIssue] = []
    docs = list(read_documents(list(paths), fmt=fmt, on_issue=issues.append))
    return docs, issues


# ------------------------------------------------------------------------------------------------ detection

@pytest.mark.parametrize(
    ("rel", "fmt"),
    [
        ("pubmed-29768149.xml", "pubmed-xml"), ("pubmed_multi.xml.gz", "pubmed-xml"),
        ("bad/pubmed_truncated.xml.gz", "pubmed-xml"),
        ("external/biopython_pubmed_result1.txt", "medline"), ("external/mrhelper_pubmed.nbib", "medline"),
        ("cnki/refworks_gb18030.txt", "refworks"), ("cnki/endnote_utf8bom.txt", "endnote"),
        ("cnki/noteexpress_fullwidth_bom.net", "noteexpress"), ("external/mrhelper_wanfang_noteexpress.net", "noteexpress"),
        ("cnki/estudy_gb18030.txt", "estudy"), ("external/mrhelper_cnki_estudy.txt", "estudy"),
        ("jsonl/gold_like.jsonl", "jsonl"), ("text/one_doc.txt", "text"),
    ],
)
def test_detect_format_by_content(rel: str, fmt: str, tmp_path: Path) -> None:
    assert detect_format(FIX / rel) == fmt
    # Content, not the extension, decides: the same bytes under a misleading name are still detected.
    renamed = tmp_path / "download.dat"
    renamed.write_bytes((FIX / rel).read_bytes())
    assert detect_format(renamed) == fmt


@pytest.mark.parametrize("rel", ["bad/empty.txt", "bad/junk.bin", "bad/undecodable.txt"])
def test_detect_format_rejects_bad_files(rel: str) -> None:
    with pytest.raises(ReaderError):
        detect_format(FIX / rel)


def test_decode_bytes_detects_encodings() -> None:
    text = "免疫介导坏死性肌病（IMNM）发病率为0.83/10万"
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")
    assert decode_bytes(text.encode("utf-8-sig")) == (text, "utf-8-sig")
    assert decode_bytes(text.encode("gb18030")) == (text, "gb18030")
    assert decode_bytes(text.encode("gbk")) == (text, "gb18030")
    with pytest.raises(ReaderError):
        decode_bytes(b"\x80\xff\xfe abc")
    with pytest.raises(ReaderError):
        decode_bytes(b"PK\x03\x04\x00\x00binary")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=200))
@settings(max_examples=150, deadline=None)
def test_decode_bytes_round_trips_utf8_and_gb18030(text: str) -> None:
    assume(not text.startswith("\ufeff"))  # a leading U+FEFF in UTF-8 *is* a BOM and is dropped, by design
    assert decode_bytes(text.encode("utf-8"))[0] == text
    decoded, encoding = decode_bytes(text.encode("gb18030"))
    assert decoded == text  # either it was valid UTF-8 too (ASCII) or GB18030 was detected
    assert encoding in ("utf-8", "gb18030")


def test_detect_lang() -> None:
    assert detect_lang("免疫介导坏死性肌病(immune-mediated necrotizing myopathy, IMNM)是一种特发性炎性肌病") == "zh"
    assert detect_lang("Anti-HMGCR myopathy was first described in patients from 中国 and the USA.") == "en"
    assert detect_lang("") == "en"


# ------------------------------------------------------------------------------------------------ files, formats

def test_iter_input_files_sorted_recursive_hidden_skipped(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ("b/2.txt", "a.txt", "b/1.txt", ".hidden.txt", ".git/x.txt", "SOURCE.md", "b/README"):
        (tmp_path / rel).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_input_files([tmp_path])] == ["a.txt", "b/1.txt", "b/2.txt"]
    assert iter_input_files([tmp_path / "SOURCE.md"]) == [tmp_path / "SOURCE.md"]  # named explicitly: read
    with pytest.raises(InputError, match="not found"):
        iter_input_files([tmp_path / "missing.xml"])


def test_unknown_format_raises_input_error() -> None:
    with pytest.raises(InputError) as err:
        read_documents([FIX / "pubmed_multi.xml"], fmt="bibtex")
    for name in FORMATS:
        assert name in str(err.value)


# ------------------------------------------------------------------------------------------------ PubMed XML

def test_pubmed_plain_and_gz_identical() -> None:
    plain, issues_plain = read(FIX / "pubmed_multi.xml")
    packed, issues_packed = read(FIX / "pubmed_multi.xml.gz")
    assert [d.sections for d in plain] == [d.sections for d in packed]
    assert [i.kind for i in issues_plain] == [i.kind for i in issues_packed] == ["warning", "deletion", "deletion"]
    deleted = [i.doc_id for i in issues_plain if i.kind == "deletion"]
    assert deleted == ["pmid:90000090", "pmid:90000091"]


def test_pubmed_bilingual_record_links_translations() -> None:
    docs, _ = read(FIX / "pubmed_multi.xml")
    seed = next(d for d in docs if d.doi == SEED_DOI)
    langs = [(s.name, s.lang) for s in seed.sections]
    assert langs == [("title", "zh"), ("abstract", "zh"), ("title", "en"), ("abstract", "en")]
    for sec in seed.sections:
        if sec.lang == "en":  # Language=chi: the Chinese is the original
            assert sec.translation_of is not None and seed.sections[sec.translation_of].name == sec.name


def test_pubmed_inline_markup_text_kept() -> None:
    docs, _ = read(FIX / "pubmed-29768149.xml")
    background = docs[0].sections[1]
    assert background.name == "BACKGROUND"
    assert "β 2-agonist" in background.text and "\t" not in background.text


def test_truncated_gz_keeps_records_before_the_cut() -> None:
    docs, issues = read(FIX / "bad" / "pubmed_truncated.xml.gz")
    full, _ = read(FIX / "pubmed_multi.xml")
    assert 0 < len(docs) < len(full)
    assert [d.sections for d in docs] == [d.sections for d in full[: len(docs)]]
    assert len([i for i in issues if i.kind == "error"]) == 1
    assert "truncated" in issues[-1].reason


def test_broken_xml_keeps_good_records_and_reports_line() -> None:
    docs, issues = read(FIX / "bad" / "pubmed_broken.xml")
    assert [d.id for d in docs] == ["pmid:90000001", "pmid:90000002", "pmid:90000003"]
    errors = [i for i in issues if i.kind == "error"]
    assert len(errors) == 1 and errors[0].line is not None and errors[0].record == 3


def test_missing_pmid_skipped_rest_kept() -> None:
    docs, issues = read(FIX / "bad" / "pubmed_missing_pmid.xml")
    assert [d.id for d in docs] == ["pmid:90000002"]
    assert issues[0].kind == "error" and issues[0].record == 0 and "PMID" in issues[0].reason


def test_duplicates_are_yielded_and_reported() -> None:
    docs, issues = read(FIX / "bad" / "pubmed_dup_a.xml", FIX / "bad" / "pubmed_dup_b.xml")
    assert [(d.id, d.version) for d in docs] == [("pmid:90000001", 1), ("pmid:90000001", 2)]
    dup = [i for i in issues if i.kind == "duplicate"]
    assert len(dup) == 1 and dup[0].file.endswith("pubmed_dup_b.xml") and dup[0].doc_id == "pmid:90000001"


def _big_pubmed(path: Path, n: int, abstract: str) -> None:
    body = "".join(
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{i}</PMID><Article><ArticleTitle>T {i}</ArticleTitle>'
        f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract><Language>eng</Language></Article>"
        "</MedlineCitation></PubmedArticle>\n" for i in range(1, n + 1)
    )
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(f"<?xml version='1.0'?>\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n")


def test_one_megabyte_abstract(tmp_path: Path) -> None:
    text = ("Necrotizing myopathy with anti-HMGCR antibodies. " * 21000)[:1_050_000].strip()
    path = tmp_path / "big.xml.gz"
    _big_pubmed(path, 2, text)
    docs, issues = read(path)
    assert not issues and len(docs) == 2 and docs[1].sections[1].text == text


def test_streaming_is_lazy(tmp_path: Path) -> None:
    path = tmp_path / "many.xml.gz"
    _big_pubmed(path, 3000, "Short abstract about myositis.")
    start = time.perf_counter()
    first = next(iter(read_documents([path], on_issue=lambda i: None)))
    assert first.id == "pmid:1" and time.perf_counter() - start < 1.0


# ------------------------------------------------------------------------------------------------ CNKI family

CNKI_FILES = sorted(p.relative_to(FIX).as_posix() for p in (FIX / "cnki").iterdir())


@pytest.mark.parametrize("rel", CNKI_FILES)
def test_cnki_exports_agree_across_formats_and_encodings(rel: str) -> None:
    docs, issues = read(FIX / rel)
    assert not issues
    assert len(docs) == 4
    seed = docs[0]
    assert seed.title == "免疫介导坏死性肌病的诊治研究进展" and seed.year == 2024
    zh_abstract = next(s for s in seed.sections if s.name == "abstract" and s.lang == "zh")
    assert zh_abstract.text.startswith("免疫介导坏死性肌病(immune-mediated") and "0.83/10万" in zh_abstract.text
    if "estudy" not in rel:  # E-Study exports carry no DOI and no English abstract
        assert seed.id == f"doi:{SEED_DOI}"
        en = [s for s in seed.sections if s.lang == "en" and s.name == "abstract"]
        assert len(en) == 1 and seed.sections[en[0].translation_of] is zh_abstract
    assert seed.encoding == ("gb18030" if "gb18030" in rel else "utf-8-sig" if "bom" in rel else "utf-8")
    # Records without DOI get a stable id from title + year: the same in every format and encoding.
    assert docs[1].id.startswith("cnki:")


def test_cnki_ids_stable_across_formats() -> None:
    ids = {rel: [d.id for d in read(FIX / rel)[0][1:]] for rel in CNKI_FILES}
    assert len({tuple(v) for v in ids.values()}) == 1


def test_cnki_record_without_title_or_abstract_is_skipped() -> None:
    docs, issues = read(FIX / "bad" / "refworks_bad_record.txt")
    assert len(docs) == 2 and [d.record_index for d in docs] == [0, 2]
    assert [(i.kind, i.record) for i in issues] == [("error", 1)]


def test_wanfang_real_export() -> None:
    docs, issues = read(FIX / "external" / "mrhelper_wanfang_noteexpress.net")
    assert not issues and len(docs) == 3
    assert docs[0].id.startswith("wanfang:") and docs[0].authors == ("江文杰", "韩超", "顾达民")
    # Full-width characters in Wanfang's DOI are normalized in the id only.
    assert docs[2].doi == "10.3969/j.issn.1672-187X.2020.01.017"
    assert [(s.name, s.lang) for s in docs[2].sections] == [("title", "zh"), ("abstract", "zh"), ("title", "en"), ("abstract", "en")]


def test_estudy_real_export_zheng_marker_stripped() -> None:
    docs, _ = read(FIX / "external" / "mrhelper_cnki_estudy.txt")
    assert [d.year for d in docs] == [2021, 2021, 2021]  # 2nd/3rd: year from PubTime (no Year-年 line)
    assert all(not s.text.startswith("<正>") for d in docs for s in d.sections)


# ------------------------------------------------------------------------------------------------ MEDLINE, JSONL, text

def test_medline_continuation_lines_joined() -> None:
    docs, _ = read(FIX / "external" / "biopython_pubmed_result1.txt")
    doc = docs[0]
    assert doc.id == "pmid:12230038" and doc.year == 2002 and doc.authors == ("Mangalam, Harry",)
    abstract = doc.sections[1].text
    assert "\n" not in abstract and "commercial software. The Open Source BioPerl" in abstract
    assert "*Software" in doc.mesh_terms


def test_medline_crlf(tmp_path: Path) -> None:
    src = (FIX / "external" / "biopython_pubmed_result1.txt").read_bytes()
    path = tmp_path / "crlf.nbib"
    path.write_bytes(src.replace(b"\n", b"\r\n"))
    assert [d.to_dict() | {"source_file": ""} for d in read(path)[0]] == [
        d.to_dict() | {"source_file": ""} for d in read(FIX / "external" / "biopython_pubmed_result1.txt")[0]
    ]


def test_jsonl_bad_lines_reported_with_line_numbers() -> None:
    docs, issues = read(FIX / "jsonl" / "mixed.jsonl")
    assert [d.id for d in docs] == ["jsonl:seed-zh", "pmid:90000003"]
    assert [i.line for i in issues] == [2, 3, 5]


def test_text_title_and_blocks() -> None:
    one, _ = read(FIX / "text" / "one_doc.txt")
    assert [s.name for s in one[0].sections] == ["title", "abstract"] and "\r" not in one[0].sections[1].text
    blocks, _ = read(FIX / "text" / "blocks.txt")
    assert [d.id for d in blocks] == ["file:blocks.txt#0", "file:blocks.txt#1", "file:blocks.txt#2"]
    assert [d.sections[0].lang for d in blocks] == ["en", "en", "zh"] and all(d.sections[0].lang_detected for d in blocks)


def test_bad_files_reported_and_stream_continues() -> None:
    docs, issues = read(FIX / "bad" / "empty.txt", FIX / "bad" / "junk.bin", FIX / "bad" / "undecodable.txt", FIX / "pubmed-29768149.xml")
    assert [d.id for d in docs] == ["pmid:29768149"]
    assert [(Path(i.file).name, i.kind) for i in issues] == [("empty.txt", "warning"), ("junk.bin", "error"), ("undecodable.txt", "error")]


def test_demo_corpus_reads_cleanly() -> None:
    demo = Path(__file__).parent.parent / "corpora" / "demo"
    docs, issues = read(demo)
    assert len(docs) >= 60 and not [i for i in issues if i.kind == "error"]
    assert {d.source_format for d in docs} == {"pubmed-xml", "refworks", "noteexpress", "jsonl"}
    assert {"zh", "en"} <= {lang for d in docs for lang in d.langs}


# ------------------------------------------------------------------------------------------------ real files of other projects

def test_real_medline_citation_set_gz() -> None:
    """Gemma's medline.multi.xml.gz: an old MedlineCitationSet (OLDMEDLINE, 1959), no PMID Version,
    MedlineDate instead of Year, non-Chinese VernacularTitles (not analysed), no abstracts."""
    docs, issues = read(FIX / "external" / "gemma_medline.multi.xml.gz")
    assert len(docs) == 147 and docs[0].id == "pmid:13643258"
    assert all(d.year == 1959 for d in docs)  # 31 of them only have <MedlineDate>1959 Feb-Mar</MedlineDate>
    assert all(s.lang == "en" for d in docs for s in d.sections)
    assert {i.kind for i in issues} == {"warning"} and len(issues) == 147  # every record is title-only


def test_real_book_articles() -> None:
    book, _ = read(FIX / "external" / "gemma_pubmed-bookarticle.xml")
    assert book[0].id == "pmid:20301315" and book[0].journal == "GeneReviews" and book[0].year == 1993
    assert [s.name for s in book[0].sections] == ["title", "DISEASE CHARACTERISTICS", "DIAGNOSIS/TESTING", "MANAGEMENT", "GENETIC COUNSELING"]
    assert book[0].authors == ("Kuhlenbaumer, Gregor", "Timmerman, Vincent")  # authors, not the book's editors
    # pubmed-fullbook.xml has CR-only line ends and no ArticleTitle: the book title is the title.
    full, issues = read(FIX / "external" / "gemma_pubmed-fullbook.xml")
    assert not issues and full[0].title.startswith("Rare Diseases and Orphan Products")
    assert "\r" not in full[0].sections[1].text


def test_real_mathml_and_inline_markup() -> None:
    docs, _ = read(FIX / "external" / "biopython_pubmed6.xml")
    title, abstract = docs[0].sections[0].text, docs[0].sections[1].text
    assert title.startswith('A "Blood Relationship" Between')  # <i> inside the title, &quot; decoded
    assert "( V.O2max ) 67.6 ± 4.1 ml·kg-1·min-1]" in abstract  # MathML tokens glued, <sup> kept
    assert "(P < 0.001; ES: 3.54)" in abstract and "<" not in abstract.replace("P <", "")


def test_xml_comment_inside_abstract_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "c.xml"
    path.write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID><Article><ArticleTitle>T</ArticleTitle>"
                    "<Abstract><AbstractText>A<!-- note -->B<i>C</i>D</AbstractText></Abstract></Article>"
                    "</MedlineCitation></PubmedArticle></PubmedArticleSet>", encoding="utf-8")
    docs, _ = read(path)
    assert docs[0].sections[1].text == "ABCD"


def test_single_path_string_accepted() -> None:
    docs, _ = read(str(FIX / "pubmed-29768149.xml"))
    assert [d.id for d in docs] == ["pmid:29768149"]
    assert list(read_documents(str(FIX / "pubmed-29768149.xml")))[0].id == "pmid:29768149"


def test_keyword_splitting() -> None:
    from imnm_nlp.readers._common import split_keywords

    assert split_keywords(["免疫介导坏死性肌病;他汀；HMGCR", " 他汀"]) == ("免疫介导坏死性肌病", "他汀", "HMGCR")
    assert split_keywords(["Myositis, Inclusion Body; statins"]) == ("Myositis, Inclusion Body", "statins")
    assert split_keywords(["乳腺癌，筛查,标准"]) == ("乳腺癌", "筛查", "标准")


def test_real_cnki_refworks_quirks() -> None:
    """Real CNKI RefWorks exports (translators_CN test cases); expectations are the translators' own."""
    docs, issues = read(FIX / "external" / "translatorsCN_cnki_refworks.txt")
    assert not issues
    assert [d.title for d in docs] == [
        "黄瓜胚性愈伤组织的诱导保存和再生", "多芯片联合分析2型糖尿病发病相关基因及其与阿尔茨海默病的关系",
        "外施Ca~(2+)、ABA及H_3PO_4对盐碱胁迫的缓解效应", "黄瓜共表达基因模块的识别及其特点分析",
    ]
    assert docs[0].authors == ("薛婉钰", "刘娜", "苑鑫", "张婷婷", "曹云娥", "陈书霞")
    assert docs[2].authors == ("颜宏", "石德成", "尹尚军", "赵伟")  # comma-separated A1
    assert docs[3].authors == ("林行众",)  # "A1林行众": no space after the tag
    assert [d.doi for d in docs] == ["10.13207/j.cnki.jnwafu.2024.07.011", None, "10.13287/j.1001-9332.2000.0212", None]
    assert [d.year for d in docs] == [2024, 2020, 2000, 2015]
    thesis_abstract = docs[3].sections[1].text  # wrapped over three lines in the export
    assert "蔬菜作物,也是植物性别发育" in thesis_abstract and "\n" not in thesis_abstract


def test_real_cnki_endnote() -> None:
    docs, issues = read(FIX / "external" / "translatorsCN_cnki_endnote.txt")
    assert [d.title for d in docs] == ["黄芪多糖复合酶提取工艺优化及其α-葡萄糖苷酶抑制活性",
                                       "大粒车前子多糖体内外消化与酵解特征体系构建及其促进肠道健康的作用", "灭绝物种RNA首次分离测序"]
    assert docs[0].authors == ("张会佳", "侯相竹", "张涵", "殷澳", "高阳", "徐多多")
    assert docs[0].doi == "10.13386/j.issn1002-0306.2023090315" and docs[2].year == 2023  # %8 2023-09-21
    assert [(i.kind, i.record) for i in issues] == [("warning", 2)]  # the newspaper item has no abstract


def test_refworks_continuation_lines(tmp_path: Path) -> None:
    """Wrapped abstract lines: glued in Chinese, spaced in English; 'AD patients' after AB is text."""
    path = tmp_path / "rw.txt"
    path.write_text(
        "RT Journal Article\nT1 Statins and myopathy\nAB Anti-HMGCR myopathy was seen in\n"
        "AD patients treated with statins.\nNO difference by dose.\nSN 1234-5678\nDS CNKI\n\n"
        "RT Journal Article\nT1 他汀相关肌病\nAB 抗HMGCR抗体阳性的免疫介导坏死性\n肌病患者\nDS CNKI\n", encoding="utf-8")
    docs, issues = read(path, fmt="refworks")
    assert not issues
    assert docs[0].sections[1].text == "Anti-HMGCR myopathy was seen in AD patients treated with statins. NO difference by dose."
    assert docs[1].sections[1].text == "抗HMGCR抗体阳性的免疫介导坏死性肌病患者"


def test_jsonl_with_a_first_line_longer_than_the_sniffed_prefix(tmp_path: Path) -> None:
    import json as _json

    from imnm_nlp.readers.detect import detect_format

    big = "Anti-HMGCR antibodies were found in 12 of 48 patients (25%). " * 2000
    path = tmp_path / "docs.data"  # no telling extension: detection must rely on the content
    path.write_text(_json.dumps({"id": "big", "text": big}) + "\n" + _json.dumps({"id": "b", "text": "x"}) + "\n", "utf-8")
    assert detect_format(path) == "jsonl"
