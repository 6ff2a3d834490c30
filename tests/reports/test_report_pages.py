"""The reports as a reader holds them: a cover, a table of contents in the city's, a public version
without internal notes, Chinese line breaking, the method in an appendix, a county's own counts, and
typed names that stay text (never Typst markup)."""
import dataclasses
import io
import re
import shutil
import subprocess

import docx
import pytest

from reports import documents

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

NO_LINE_START = "）)】」』》，,。.、；;：:？?！!…%％”"


def pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split("\f")[:-1]


def set_lines(data: bytes, tmp_path) -> list[str]:
    """The lines as set, a table's cells apart: words on one baseline joined unless a gap parts them
    (pdftotext's own lines part a line where compressed punctuation overlaps its neighbour)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = [(page, round(float(y), 1), float(x0), float(x1), text) for page, chunk in enumerate(html.split("<page"))
             for x0, y, x1, text in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)<', chunk)]
    lines, last = [], None
    for page, y, x0, x1, text in sorted(words):
        if last and (page, y) == last[:2] and x0 - last[2] < 6:
            lines[-1] += text
        else:
            lines.append(text)
        last = (page, y, x1)
    return [html_text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">") for html_text in lines]


def test_the_cover_names_the_report_its_issuer_number_and_date_and_pages_are_numbered_after_it(context, tmp_path):
    cover, first, *rest = pages(documents.pdf(context, "511502"), tmp_path)
    for text in ("翠屏区教育群众满意度调查报告", context.title, "编制单位", context.organizer, "报告编号", "20261129-511502",
                 "计算时间", "2026年11月29日"):
        assert text in cover
    assert "第" not in cover.replace("第三方", "")                  # no page number on the cover
    total = len(rest) + 1
    assert re.search(rf"第\s*1\s*页\s*共\s*{total}\s*页", first)
    assert re.search(rf"第\s*{total}\s*页\s*共\s*{total}\s*页", rest[-1])


def test_the_city_report_has_a_table_of_contents_and_the_county_report_none(context, tmp_path):
    city = pages(documents.pdf(context, "ALL"), tmp_path)
    contents = city[1]
    assert "目录" in contents
    for heading, _ in documents.city_sections(context):
        assert heading.replace("\u3000", " ").split(" ")[0] in contents
    county = pages(documents.pdf(context, "511502"), tmp_path)
    assert "目录" not in county[1]


def test_the_public_version_gives_results_and_grades_only(context, tmp_path):
    text = "".join(pages(documents.pdf(context, "ALL", public=True), tmp_path))
    assert "公开版" in text and "等级" in text
    for code in context.counties:
        assert documents.marked(context, code) in text and documents._grade(context.row(code)) in text
    for internal in ("问题清单", "整改", "方法与技术说明", "注意", "raking", "SHA-256", "剔除本区县"):
        assert internal not in text
    report = documents.report(context, "ALL", public=True)
    assert not report.toc and report.edition == "公开版"


def test_no_line_starts_with_closing_punctuation_and_no_interval_is_split(context, tmp_path):
    for code in ("ALL", "511526"):
        pdf = documents.pdf(context, code)
        lines = set_lines(pdf, tmp_path)
        starts = [line for line in lines if line[0] in NO_LINE_START]
        assert not starts, starts[:5]
        text = "".join(block[1] for _, blocks in documents.report(context, code).sections for block in blocks
                       if block[0] == "p")
        joined = "".join(pages(pdf, tmp_path))
        for interval in set(re.findall(r"\d+\.\d–\d+\.\d|−?\d+\.\d 至 −?\d+\.\d|\d{1,3}(?:,\d{3})+", text)):
            assert interval in joined, interval


def test_the_method_with_its_technical_terms_is_an_appendix_and_the_body_has_none(context):
    for code in ("ALL", "511502"):
        sections = documents.report(context, code).sections
        heading, appendix = sections[-1]
        assert heading == documents.APPENDIX
        body = "".join(str(b[1]) for _, blocks in sections[:-1] for b in blocks if b[0] == "p")
        for term in ("raking", "svyciprop", "Holm", "Bonferroni", "SHA-256", "numpy", "respondent_type", "t 检验"):
            assert term not in body, (code, term)
        appendix_text = "".join(b[1] for b in appendix)
        assert "迭代比例加权，英文 raking" in appendix_text and "SHA-256" in appendix_text


def test_a_county_report_gives_its_own_counts_and_names_not_codes(context):
    quality = context.results.quality
    i = list(map(str, quality["county"])).index("511523")
    text = "".join(b[1] for b in documents.report(context, "511523").sections[-1][1])
    assert f"本区县收到答卷 {int(quality['received'][i]):,} 份" in text
    assert f"使用 {int(quality['used'][i]):,} 份" in text
    assert f"{int(quality['received'][-1]):,} 份" not in text
    assert "511523" not in text and "江安县（有效样本量" in text


def test_typed_names_are_set_as_text_never_read_as_typst(context, tmp_path):
    hostile = '*粗* _斜_ #set page(fill: red) $x$ ] [ "引号" \\ <a> @ref // 注释'
    tricky = dataclasses.replace(context, names={**context.names, "511502": hostile}, title='标题 #sys ]"', _charts={})
    text = "".join(pages(documents.pdf(tricky, "511502"), tmp_path))
    assert hostile.replace(" ", "") in text.replace(" ", "").replace("\n", "")
    assert '标题#sys]"' in text.replace(" ", "")


def test_a_simulated_campaigns_reports_say_so_on_every_page(context, tmp_path):
    demo = dataclasses.replace(context, simulated=True, _charts={})
    assert all("模拟数据" in page for page in pages(documents.pdf(demo, "511503"), tmp_path))
    assert "模拟数据" not in "".join(pages(documents.pdf(context, "511503"), tmp_path))


def test_the_word_report_has_the_cover_and_a_table_of_contents_field(context):
    document = docx.Document(io.BytesIO(documents.docx(context, "ALL")))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:3] == [context.title, "全市教育群众满意度调查报告", "内部版（含各区县问题清单）"]
    assert "编制单位：市教育督导室" in paragraphs and "目录" in paragraphs
    instructions = [e.text for e in document.element.body.iter(f"{{{docx.oxml.ns.nsmap['w']}}}instrText")]
    assert any(i.strip().startswith("TOC ") for i in instructions)
    county = docx.Document(io.BytesIO(documents.docx(context, "511502")))
    assert "目录" not in [p.text for p in county.paragraphs]


def test_a_report_whose_last_page_would_hold_a_few_lines_is_set_tighter(tmp_path):
    from pypdf import PdfReader

    from reports.report import Report
    from reports.typst_render import NEARLY_EMPTY, PAGE_BOTTOM, PAGE_TOP, Typesetter
    paragraph = ("p", "本区县教育群众满意度指数为 80.1（95% 置信区间 77.2–83.0），比全市高 1.2 分。" * 6)
    with Typesetter() as typesetter:
        for n in range(20, 60):
            report = Report(title="测试报告", subtitle="测试", issuer="测试单位", sections=[("一、正文", [paragraph] * n)])
            _, end = typesetter._compile(typesetter._content(report), tight=False)
            if end["page"] > 2 and (end["y"] - PAGE_TOP) / (PAGE_BOTTOM - PAGE_TOP) < NEARLY_EMPTY / 2:
                break
        else:
            pytest.fail("no length left a nearly empty last page")
        assert len(PdfReader(io.BytesIO(typesetter.pdf(report))).pages) == end["page"] - 1


def test_printed_differences_are_those_of_the_printed_figures(context):
    """比全市（83.1）低 8.0 分 beside 75.1: a reader subtracts what is printed."""
    city = context.row("ALL")
    for code in context.counties:
        row = context.row(code)
        found = re.search(r"比全市（([\d.]+)）[高低] ([\d.]+) 分", documents.summary(context, code))
        if found:
            printed = re.search(r"指数为 ([\d.]+)", documents.summary(context, code)).group(1)
            assert abs(float(printed) - float(found.group(1))) == pytest.approx(float(found.group(2)), abs=1e-9)
            assert float(found.group(1)) == round(city["index"], 1) and float(printed) == round(row["index"], 1)


def test_the_public_version_names_the_exclusion_rules_that_were_applied(context):
    from reports import method
    record = context.results.record
    text = documents._public_method(context)
    applied = set(record["quality"]["exclude"]) | set(record["quality"].get("always_excluded", []))
    assert all(method.RULES[rule] in text for rule in applied)
    assert all(method.RULES[rule] not in text for rule in set(method.RULES) - applied)
    assert "可能名次" not in documents.city_summary(context, public=True)


def test_the_method_writes_a_tiny_weighting_error_in_words():
    from reports import method
    assert method._tiny(8.7e-11) == "不到百万分之一" and method._tiny(0.0123) == "为 1.2300%"


def test_the_public_version_names_items_by_topic_and_question_and_a_county_appendix_no_city_weighting(context):
    public = "".join(str(cell) for _, blocks in documents.public_sections(context) for b in blocks if b[0] == "table"
                     for row in b[2] for cell in row)
    assert not re.search(r"q\d\d", public) and context.questionnaire.items[0].text in public
    county = "".join(b[1] for b in documents.report(context, "511502").sections[-1][1])
    assert "未加权时" not in county and "未加权时" in "".join(b[1] for b in documents.report(context, "ALL").sections[-1][1])
