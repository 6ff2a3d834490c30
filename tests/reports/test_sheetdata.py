"""Rows made a column at a time read back as the cells XlsxWriter writes one by one (its own
escaping of texts, numbers, date cells, empty cells), and the data workbook keeps every cell."""
import io
import zipfile
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from reports import datafiles, sheetdata

TEXTS = [" leading and trailing ", "a & b < c > d", "_x0041_ stays", "bell\x07", "", None, "县\n名", "=1+1", "翠屏区"]
NUMBERS = [1.0, 2.5, float("nan"), 0.1 + 0.2, 123456789.123456789, -3, 1e-7, None, 4]
TIMES = [datetime(2026, 11, 21, 8, 30, 5), None, datetime(1900, 2, 28, 12), datetime(2026, 1, 1), None,
         datetime(2025, 12, 31, 23, 59, 59), datetime(2026, 6, 1, 0, 0, 1), datetime(2026, 2, 2), datetime(2030, 1, 1)]


def _book(fill_rows):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd hh:mm:ss"})
    sheet = book.add_worksheet("答卷")
    dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.set_column(2, 2, 19, dates)
    sheet.write_row(0, 0, ["文字", "数", "时间"])
    return fill_rows(book, sheet, dates, out)


def _by_xlsxwriter(book, sheet, dates, out):
    for r, row in enumerate(zip(TEXTS, NUMBERS, TIMES), start=1):
        for c, value in enumerate(row):
            if value is not None and not (isinstance(value, float) and np.isnan(value)):
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def _by_sheetdata(book, sheet, dates, out):
    book.close()
    texts = pd.Series(TEXTS, dtype=object)
    codes, distinct = pd.factorize(texts)
    numbers, values = pd.factorize(pd.Series(NUMBERS, dtype=float))
    times = datafiles._date_cells(pd.Series(pd.to_datetime(TIMES)), dates.xf_index)
    return sheetdata.fill(out.getvalue(), 1, [sheetdata.Column(codes, list(distinct)),
                                             sheetdata.Column(numbers, list(values)), times], first_row=1)


def _cells(data: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(data))["答卷"]
    return [[(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows()], sheet.dimensions


def test_rows_made_a_column_at_a_time_read_back_as_xlsxwriters_cells():
    assert _cells(_book(_by_sheetdata)) == _cells(_book(_by_xlsxwriter))


def test_the_shared_strings_count_every_cell_and_each_new_text_once():
    data = _book(_by_sheetdata)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    texts = [t for t in TEXTS if t]
    assert f'count="{3 + len(texts)}" uniqueCount="{3 + len(set(texts))}"' in xml
    assert xml.count("<si>") == 3 + len(set(texts)) and "_x0007_" in xml and "_x005F_x0041_" in xml


def test_the_data_workbook_has_a_row_for_each_response_and_the_weights_as_numbers(context, reference, questionnaire):
    frame = datafiles.cleaned(reference.responses, context.results, questionnaire, context.names)
    sheet = openpyxl.load_workbook(io.BytesIO(datafiles.xlsx_bytes(frame, questionnaire)))["答卷"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(frame) and sheet.max_row == len(frame) + 1
    weight = list(frame.columns).index("weight")
    # 16 significant digits, as XlsxWriter writes numbers
    assert [row[weight] for row in rows] == pytest.approx(frame["weight"].tolist(), rel=1e-15)
    assert [row[0] for row in rows] == frame["response_id"].tolist()
    assert sheet.cell(2, weight + 1).number_format == "0.0000"
