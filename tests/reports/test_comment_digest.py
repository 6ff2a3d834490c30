"""The reports' section on what residents wrote: counts, themes, a masked sample; a county sees its own only."""
import io
import shutil
import subprocess

import docx
import openpyxl
import pytest

from analysis import job
from reports import comment_digest, documents, method, workbook
from tests.reports.conftest import NAMES

WORDS = ("食堂饭菜太贵，孩子吃不饱。", "作业太多，睡得太晚。", "校门口交通太乱，接送不安全。")


@pytest.fixture(scope="module")
def commented(reference, questionnaire):
    """The reference case, each response with a comment that names its county (and, for some, a phone
    number and a teacher's full name), every fifth with none, a few with 无."""
    frame = reference.responses.copy()
    texts = []
    for i, county in enumerate(frame["county"]):
        if i % 5 == 0:
            texts.append(None)
        elif i % 7 == 0:
            texts.append("无")
        else:
            texts.append(f"{NAMES[county]}居民{i}：{WORDS[i % 3]}" + ("王建国老师电话13812345678" if i % 11 == 0 else ""))
    frame["comment"] = texts
    results = job.analyze(frame, questionnaire, reference.targets, job.Settings(cluster="channel"))
    return documents.Context(results, questionnaire, NAMES, "2026年县域教育群众满意度调查", "市教育督导室",
                             "计算于 2026年11月29日")


def _text(blocks) -> str:
    out = []
    for block in blocks:
        if block[0] == "p":
            out.append(block[1])
        elif block[0] == "table":
            out += block[1] + [cell for row in block[2] for cell in row]
    return "\n".join(out)


def test_a_county_section_counts_its_comments_and_quotes_its_own_only(commented):
    for code in commented.counties:
        own = commented.results.comments.of(code)
        text = _text(comment_digest.blocks(commented, code))
        assert f"本区县有效答卷 {own.responses:,} 份中，{own.comments:,} 份写了回答" in text
        assert f"{own.comments / own.responses:.1%}" in text
        assert NAMES[code] + "居民" in text
        assert not any(name + "居民" in text for other, name in NAMES.items() if other != code)
        assert "13812345678" not in text and "王建国" not in text
    assert len(commented.results.comments.of("511502").samples) == 8


def test_the_section_is_numbered_after_the_others_before_the_appendix_and_not_public(commented):
    headings = [heading for heading, _ in documents.county_sections(commented, "511503")]
    assert headings[-3:] == ["六、样本构成", "七、群众的意见建议", documents.APPENDIX]
    headings = [heading for heading, _ in documents.city_sections(commented)]
    assert headings[-3:] == ["七、样本构成（全市）", "八、群众的意见建议", documents.APPENDIX]
    assert "群众的意见建议" not in [heading for heading, _ in documents.public_sections(commented)]


def test_the_city_section_lists_every_county_and_the_themes(commented):
    blocks = comment_digest.blocks(commented, "ALL")
    by_county = next(b for b in blocks if b[0] == "table" and b[1][0] == "区县")
    assert [row[0] for row in by_county[2]] == [NAMES[c] for c in commented.counties] + ["全市"]
    themes = next(b for b in blocks if b[0] == "table" and b[1][0] == "方面（问卷主题）")
    assert {row[0] for row in themes[2]} >= {"学校食堂", "学业负担", "校园安全"}
    assert "全市有效答卷" in _text(blocks) and "其余为“无”“没有”“很好”等" in _text(blocks)


def test_without_the_open_question_the_section_says_so(context):
    assert context.results.comments is None
    assert "本节从略" in _text(comment_digest.blocks(context, "511502"))


def test_the_word_report_carries_the_section(commented):
    document = docx.Document(io.BytesIO(documents.docx(commented, "511524")))
    text = "\n".join([p.text for p in document.paragraphs] +
                     [c.text for t in document.tables for row in t.rows for c in row.cells])
    assert "群众的意见建议" in text and "长宁县居民" in text and "翠屏区居民" not in text and "某老师" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_report_carries_the_section(commented, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(documents.pdf(commented, "511524"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "群众的意见建议" in text and "长宁县居民" in text and "翠屏区居民" not in text


def test_the_workbook_lists_every_masked_comment_by_county(commented, questionnaire):
    data = workbook.write(commented.results, questionnaire, NAMES, method.notes(commented.results.record, questionnaire))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["意见建议"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("区县代码", "区县", "回执编号", "意见建议（个人信息已隐去）", "涉及主题")
    assert len(rows) - 1 == commented.results.comments.of("ALL").informative
    assert all(NAMES[county] + "居民" in text for county, _, _, text, _ in rows[1:])
    assert not any("13812345678" in text or "王建国" in text for *_, text, _ in rows[1:])
    assert {themes for *_, themes in rows[1:]} == {"学校食堂", "学业负担", "校园安全"}
    assert sheet["D2"].alignment.wrap_text and sheet["A2"].value == rows[1][0]       # the comment wraps ...
    assert all(sheet.row_dimensions[r].height >= 15 for r in range(2, len(rows) + 1))  # ... in a row as high
    assert sheet.auto_filter.ref == f"A1:E{len(rows)}" and sheet.freeze_panes == "C2"
