"""Hostile tables are refused in Chinese, by what they declare or as they are read, and nothing is saved."""
import io
import zipfile

import pytest

from survey_app.errors import UserError
from survey_app.io import upload_limits
from survey_app.io.uploads import read_upload
from tests.helpers import gen_campaign, gen_user, login, post, xlsx

MB = 1024 * 1024


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The .xlsx `data` with part `name` replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename != name:
                target.writestr(part, source.read(part))
        target.writestr(name, content)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A sheet of 25 MB (40 KB packed): the same row, over and over."""
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>511502</t></is></c></row>' % (n, n)
                    for n in range(1, 400_000))
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b"<sheetData>" + rows + b"</sheetData></worksheet>")
    return with_part(xlsx([["code"]]), "xl/worksheets/sheet1.xml", sheet)


def huge_shared_string() -> bytes:
    """One text of 21 MB in the shared strings (20 KB packed)."""
    strings = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               b'count="1" uniqueCount="1"><si><t>' + b"x" * (21 * MB) + b"</t></si></sst>")
    return with_part(xlsx([["code"]]), "xl/sharedStrings.xml", strings)


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(UserError) as info:
        read_upload(name, data)
    return str(info.value)


def test_an_xlsx_is_refused_by_its_declared_unpacked_size_before_anything_is_unpacked(monkeypatch):
    hostile = [zip_bomb(), huge_shared_string()]

    def unpacking(*args):
        raise AssertionError("a part was unpacked")
    monkeypatch.setattr(zipfile.ZipExtFile, "read", unpacking)
    for data in hostile:
        assert refusal("区县.xlsx", data).startswith("区县.xlsx：文件太大：表格解压后超过 20 MB（约 2")
        assert "请只保留需要的工作表和列" in refusal("区县.xlsx", data)


def test_an_xlsx_of_over_a_thousand_parts_is_refused():
    many = io.BytesIO(xlsx([["code"]]))
    with zipfile.ZipFile(many, "a") as archive:
        for n in range(1000):
            archive.writestr(f"docProps/part{n}.xml", b"")
    assert "个部分组成（Excel 表格最多 1,000 个），不像普通的表格" in refusal("区县.xlsx", many.getvalue())


@pytest.mark.parametrize("text, words", [
    ("code\n" + "511502\n" * 100_000, "超过 100,000 行（空行也计算在内）"),
    ("code\n" + "\n" * 100_000, "超过 100,000 行（空行也计算在内）"),
    ("code\n" + "," * 1_000_000 + "\n", "单元格超过 1,000,000 个"),
    ('code\n"' + "x" * 200_000 + "\n", "第 2 行有单元格过长（超过 131,072 个字符），请检查引号是否成对"),
], ids=["rows", "blank rows", "cells", "cell length"])
def test_a_csv_is_bounded_by_rows_cells_and_cell_length(text, words, monkeypatch):
    monkeypatch.setattr(upload_limits, "READ_SECONDS", 60.0)   # the limit itself, not the time on a busy machine
    assert words in refusal("区县.csv", text.encode())


def test_a_file_over_20_mb_is_refused_unread():
    assert refusal("区县.csv", b"x" * (20 * MB + 1)) == (
        "区县.csv：文件太大（20.0 MB），不能超过 20 MB。请只保留需要的工作表和列，删除多余的行后再上传。")


def test_reading_stops_when_its_time_is_spent(monkeypatch):
    monkeypatch.setattr(upload_limits, "READ_SECONDS", 0)
    for name, data in (("区县.csv", b"code\n511502\n"), ("区县.xlsx", xlsx([["code"], ["511502"]]))):
        assert f"{name}：表格太大或太复杂，0 秒内没有读完" in refusal(name, data)


def test_a_table_within_bounds_reads_as_before():
    table = read_upload("区县.xlsx", xlsx([["code", "name"], [511502, "翠屏区"], [None, None], [511503, "南溪区"]]))
    assert table.rows == [["511502", "翠屏区"], ["511503", "南溪区"]] and table.lines == [2, 4]


def test_a_hostile_upload_on_a_page_is_refused_in_chinese_and_nothing_is_saved(app, client, questionnaire):
    gen_campaign(app, questionnaire)
    gen_user(app)
    login(client)
    r = post(client, "/admin/c/test-2026/targets", {"file": (io.BytesIO(zip_bomb()), "targets.xlsx")},
             content_type="multipart/form-data")
    assert r.status_code == 422 and "targets.xlsx：文件太大：表格解压后超过 20 MB" in r.get_data(as_text=True)
    assert "511502" not in client.get("/admin/c/test-2026/targets.csv").get_data(as_text=True)
