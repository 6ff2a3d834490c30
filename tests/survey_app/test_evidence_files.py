"""Evidence files are told by their content, never their names, and stored under generated names."""
import io
import zipfile

import openpyxl
import pytest
from docx import Document
from PIL import Image

from survey_app.errors import UserError
from survey_app.io import evidence


def _png(kind="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, kind)
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


@pytest.mark.parametrize("name, data, key", [
    ("经费报表.pdf", b"%PDF-1.7\n...", "pdf"),
    ("照片", _png(), "png"),                       # no suffix: the content says
    ("照片.pdf", _png("JPEG"), "jpeg"),            # a wrong suffix: the content says
    ("说明.docx", _docx(), "docx"),
    ("数据.xlsx", _xlsx(), "xlsx"),
    ("旧说明.doc", evidence.OLE2 + b"\0" * 504, "doc"),
    ("旧报表.XLS", evidence.OLE2 + b"\0" * 504, "xls"),
])
def test_accepted_kinds_by_content(name, data, key):
    assert evidence.kind_of(name, data).key == key


@pytest.mark.parametrize("name, data", [
    ("报告.pdf", b"<html><script>alert(1)</script></html>"),
    ("图.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("说明.docx", b"PK\x03\x04 not really a zip"),
    ("压缩包.docx", b""),
    ("旧文件.txt", evidence.OLE2 + b"\0" * 504),   # an Office 97 container that claims to be neither
])
def test_anything_else_is_refused_naming_the_file_and_what_is_accepted(name, data):
    with pytest.raises(UserError) as refused:
        evidence.kind_of(name, data)
    assert name in str(refused.value) or "空的" in str(refused.value)


def test_a_zip_that_is_not_word_or_excel_and_one_of_too_many_parts_are_refused():
    for parts in (["[Content_Types].xml", "other.xml"],
                  ["[Content_Types].xml", "word/document.xml", *(f"p{i}" for i in range(evidence.MAX_ZIP_PARTS))]):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for part in parts:
                archive.writestr(part, "")
        with pytest.raises(UserError, match="不是可以接受的文件类型"):
            evidence.kind_of("材料.docx", out.getvalue())


def test_a_file_over_the_limit_is_refused_with_advice():
    with pytest.raises(UserError, match="文件太大.*不能超过 20 MB.*降低分辨率"):
        evidence.kind_of("扫描件.pdf", b"%PDF-" + b"0" * evidence.MAX_FILE_BYTES)


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\县教育局\\经费.pdf", "经费.pdf"),
    ("a\x00b\x1b.pdf", "ab.pdf"),
    ("..", "未命名文件"),
    ("长" * 300 + ".pdf", "长" * 119 + "…"),
])
def test_the_name_shown_is_the_last_part_clean_and_bounded(name, shown):
    assert evidence.shown_name(name) == shown


def test_stored_under_a_generated_name_inside_the_folder(tmp_path):
    kind = evidence.kind_of("../../x.pdf", b"%PDF-1.4 data")
    first, second = (evidence.store(tmp_path / "cycle-1", kind, b"%PDF-1.4 data") for _ in range(2))
    assert first.stored_name != second.stored_name and first.stored_name.endswith(".pdf")
    assert sorted(p.name for p in (tmp_path / "cycle-1").iterdir()) == sorted([first.stored_name, second.stored_name])
    assert (tmp_path / "cycle-1" / first.stored_name).read_bytes() == b"%PDF-1.4 data" and first.size == 13
