"""Preparing a campaign in the workspace: create, counties, targets, quotas, channels and QR codes, state."""
import csv
import io
import re
import shutil
import subprocess
import zipfile
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import select

from analysis import targets as analysis_targets
from survey_app import db
from survey_app.models import AuditEvent, Campaign
from survey_app.services import campaigns
from tests.helpers import COUNTIES, gen_campaign, gen_user, login, post, valid_answers, xlsx, zip_of

SLUG = "test-2026"


@pytest.fixture
def evaluator(app, client):
    gen_user(app)
    login(client)
    return client


def stored_campaign(app, slug=SLUG) -> Campaign:
    with app.app_context(), db.session() as s:
        c = campaigns.find_campaign(s, slug)
        c.counties, c.channels, c.targets, c.quotas   # loaded while the session is open
        return c


def create(client, **fields):
    page = client.get("/admin/campaigns/new").get_data(as_text=True)
    default = re.search(r'<option value="(\d+)"[^>]*>县域教育群众满意度调查', page).group(1)
    data = {"slug": "city-2026", "name": "2026年满意度调查", "organizer": "市教育督导室",
            "questionnaire": default, "opens": "2026-01-01T08:00",
            "closes": "2099-12-31T18:00", **fields}
    return post(client, "/admin/campaigns/new", data, content_type="multipart/form-data")


def test_a_campaign_is_created_from_typed_counties(app, evaluator):
    r = create(evaluator, counties_text="511502,翠屏区\n511503，南溪区\n")
    assert r.status_code == 302 and r.headers["Location"] == "/admin/c/city-2026/"
    campaign = stored_campaign(app, "city-2026")
    assert [(c.code, c.name) for c in campaign.counties] == [("511502", "翠屏区"), ("511503", "南溪区")]
    assert campaign.opens_at.astimezone().hour is not None and campaign.opens_at.hour == 0   # 08:00 Beijing = 00:00 UTC
    page = evaluator.get("/admin/c/city-2026/").get_data(as_text=True)
    assert "进行中" in page and "未上传" in page and "还没有渠道" in page


def test_a_campaign_is_created_from_an_excel_county_list(app, evaluator):
    upload = (io.BytesIO(xlsx([["code", "name"], [511502, "翠屏区"], [None, None], [511503, "南溪区"]])), "区县.xlsx")
    assert create(evaluator, counties_file=upload).status_code == 302
    assert len(stored_campaign(app, "city-2026").counties) == 2


def test_a_bad_county_list_names_the_line_and_creates_nothing(app, evaluator):
    r = create(evaluator, counties_text="511502,翠屏区\n5115,南溪区\n")
    assert r.status_code == 200 and "第 2 行：区县代码“5115”应为 6 位数字" in r.get_data(as_text=True)
    with app.app_context(), db.session() as s:
        assert s.scalar(select(Campaign)) is None


def test_opening_pausing_and_closing_by_hand(app, evaluator, client, questionnaire):
    token = gen_campaign(app, questionnaire, opens=1)[0]
    assert client.get(f"/s/{token}").status_code == 403                  # not open yet
    state = f"/admin/c/{SLUG}/state"
    assert post(evaluator, state, {"action": "open"}, page=f"/admin/c/{SLUG}/").status_code == 302
    assert client.get(f"/s/{token}").status_code == 200
    post(evaluator, state, {"action": "pause"}, page=f"/admin/c/{SLUG}/")
    r = client.get(f"/s/{token}")
    assert r.status_code == 403 and "暂停" in r.get_data(as_text=True)
    r = client.post(f"/s/{token}", data=valid_answers(questionnaire), headers={"X-Requested-With": "fetch"})
    assert r.status_code == 403 and "暂停" in r.json["message"]
    post(evaluator, state, {"action": "open"}, page=f"/admin/c/{SLUG}/")
    assert client.get(f"/s/{token}").status_code == 200
    post(evaluator, state, {"action": "close"}, page=f"/admin/c/{SLUG}/")
    assert client.get(f"/s/{token}").status_code == 410
    r = post(evaluator, state, {"action": "pause"}, page=f"/admin/c/{SLUG}/")
    assert "不能暂停" in evaluator.get(r.headers["Location"]).get_data(as_text=True)
    with app.app_context(), db.session() as s:
        actions = [e.detail["change"] for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "campaign_state"))]
    assert actions == ["open", "pause", "open", "close"]


def targets_file(rows):
    return {"file": (io.BytesIO(("county,variable,category,population\n" + "".join(
        ",".join(map(str, row)) + "\n" for row in rows)).encode("utf-8")), "targets.csv")}


def good_targets():
    rows = []
    for county in COUNTIES:
        rows += [(county.code, "area", "urban", 600), (county.code, "area", "rural", 400),
                 (county.code, "respondent_type", "parent", 300), (county.code, "respondent_type", "student", 100),
                 (county.code, "respondent_type", "teacher", 50), (county.code, "respondent_type", "public", 550)]
    return rows


def upload_targets(client, rows):
    return post(client, f"/admin/c/{SLUG}/targets", targets_file(rows), content_type="multipart/form-data")


def test_targets_are_checked_row_by_row_and_nothing_is_kept_on_a_problem(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    rows = good_targets()
    rows[0] = ("999999", "area", "urban", 600)
    rows[1] = ("511502", "area", "suburb", 400)
    rows[2] = ("511502", "stage", "primary", 300)
    rows[3] = ("511502", "respondent_type", "student", "很多")
    r = upload_targets(evaluator, rows)
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "文件有 4 处问题" in page
    for words in ["第 2 行：区县“999999”不在本调查中", "第 3 行：变量 “您居住在”（area） 没有类别“suburb”", "第 4 行：属性“stage”（您的孩子（或您所在的学校）处于哪个学段）只对部分答题人询问",
                  "第 5 行：人口数“很多”无效"]:
        assert words in page
    assert stored_campaign(app).targets == []


def test_targets_must_cover_every_margin_with_equal_totals(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    rows = [r for r in good_targets() if not (r[0] == "511503" and r[2] == "rural")]
    rows = [(c, v, k, 700 if (c, k) == ("511523", "urban") else p) for c, v, k, p in rows]
    page = upload_targets(evaluator, rows).get_data(as_text=True)
    assert "区县 511503（南溪区）缺少变量 “您居住在”（area） 的类别：农村（rural）" in page
    assert "区县 511523（江安县）各变量的人口合计不一致：“您居住在”（area） 合计 1,100，“您的身份是”（respondent_type） 合计 1,000" in page


def test_good_targets_are_stored_and_download_as_survey_analyze_reads_them(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    assert upload_targets(evaluator, good_targets()).status_code == 302
    assert len(stored_campaign(app).targets) == 18
    r = evaluator.get(f"/admin/c/{SLUG}/targets.csv")
    import pandas as pd
    table = pd.read_csv(io.BytesIO(r.data), encoding="utf-8-sig", dtype={"county": str})
    assert analysis_targets.county_populations(analysis_targets.validate(table)) == {c.code: 1000 for c in COUNTIES}


def test_quotas_are_proposed_from_population_with_a_floor_and_saved(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    rows = [(c, v, k, p * (20 if c == "511502" else 1)) for c, v, k, p in good_targets()]
    upload_targets(evaluator, rows)
    page = evaluator.get(f"/admin/c/{SLUG}/quotas?total=3000&floor=400&attribute=area").get_data(as_text=True)
    assert 'name="quota|511502||" value="2200"' in page          # 3000 - 2 x 400 floors
    assert 'name="quota|511503||" value="400"' in page
    assert 'name="quota|511502|area|urban" value="1320"' in page  # 60% of 2200
    assert "±" in page
    r = post(evaluator, f"/admin/c/{SLUG}/quotas", {"quota|511502||": "2200", "quota|511503||": "400",
                                                    "quota|511523||": "400", "quota|511502|area|urban": "1320"},
             page=f"/admin/c/{SLUG}/quotas")
    assert r.status_code == 302
    assert sorted((q.attribute, q.target) for q in stored_campaign(app).quotas) == [
        ("", 400), ("", 400), ("", 2200), ("area", 1320)]
    page = evaluator.get(f"/admin/c/{SLUG}/quotas?total=100&floor=400").get_data(as_text=True)
    assert "不够每个区县至少 400 份" in page


def test_channels_are_added_typed_and_from_a_list_and_can_be_disabled(app, evaluator, client, questionnaire):
    gen_campaign(app, questionnaire)
    r = post(evaluator, f"/admin/c/{SLUG}/channels", {"county": "511503", "labels": "第一中学\n\n人民广场海报\n"})
    assert r.status_code == 302
    listing = (io.BytesIO(xlsx([["county", "label"], ["511523", "江安中学"], ["511523", "实验小学"]])), "学校.xlsx")
    r = post(evaluator, f"/admin/c/{SLUG}/channels", {"file": listing}, content_type="multipart/form-data")
    assert r.status_code == 302
    labels = [(ch.code, ch.label) for ch in stored_campaign(app).channels]
    assert ("511503-002", "第一中学") in labels and ("511523-003", "实验小学") in labels and len(labels) == 7
    bad = (io.BytesIO(xlsx([["county", "label"], ["999999", "某校"]])), "学校.xlsx")
    r = post(evaluator, f"/admin/c/{SLUG}/channels", {"file": bad}, content_type="multipart/form-data")
    assert r.status_code == 422 and "学校.xlsx 第 2 行：区县“999999”不在本调查中" in r.get_data(as_text=True)
    assert len(stored_campaign(app).channels) == 7                    # all or nothing

    token = stored_campaign(app).channels[0].token
    post(evaluator, f"/admin/c/{SLUG}/channels/511502-001/state", {"action": "disable"}, page=f"/admin/c/{SLUG}/channels")
    r = client.get(f"/s/{token}")
    assert r.status_code == 410 and "链接已停用" in r.get_data(as_text=True)
    post(evaluator, f"/admin/c/{SLUG}/channels/511502-001/state", {"action": "enable"}, page=f"/admin/c/{SLUG}/channels")
    assert client.get(f"/s/{token}").status_code == 200


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="needs zbar-tools")
def test_a_channels_qr_code_decodes_to_its_link(app, evaluator, questionnaire, tmp_path):
    token = gen_campaign(app, questionnaire)[0]
    png = tmp_path / "qr.png"
    png.write_bytes(evaluator.get(f"/admin/c/{SLUG}/channels/511502-001/qr.png").data)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True).stdout.strip()
    assert decoded == f"https://pj.example.cn/s/{token}"


def test_all_qr_codes_of_a_county_come_in_one_zip(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    post(evaluator, f"/admin/c/{SLUG}/channels", {"county": "511503", "labels": "一中:二中"})
    r = zip_of(app, evaluator, "qr", "511503")
    assert "filename*=UTF-8''" + quote("测试调查_南溪区_二维码.zip") in r.headers["Content-Disposition"]
    names = sorted(zipfile.ZipFile(io.BytesIO(r.data)).namelist())
    assert names == ["511503-001_南溪区_南溪区海报.png", "511503-001_南溪区_南溪区海报.svg",
                     "511503-002_南溪区_一中_二中.png", "511503-002_南溪区_一中_二中.svg", "links.csv"]
    r = post(evaluator, f"/admin/c/{SLUG}/channels/qr.zip", {"county": "000000"}, page=f"/admin/c/{SLUG}/channels")
    assert "没有代码为 000000 的区县" in evaluator.get(r.headers["Location"]).get_data(as_text=True)


def test_the_workspace_warns_while_links_point_at_this_computer(app, app_config, questionnaire):
    """(`app` empties the database afterwards.)"""
    from survey_app.app import create_app
    local = create_app({**app_config, "BASE_URL": "http://127.0.0.1:8000"})
    gen_campaign(local, questionnaire)
    gen_user(local)
    client = local.test_client()
    login(client)
    assert "手机无法打开" in client.get(f"/admin/c/{SLUG}/channels").get_data(as_text=True)


@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("zbarimg") is None,
                    reason="needs poppler-utils and zbar-tools")
def test_a_poster_is_a_chinese_a4_pdf_whose_qr_code_opens_the_channel(app, evaluator, questionnaire, tmp_path):
    token = gen_campaign(app, questionnaire)[0]
    r = evaluator.get(f"/admin/c/{SLUG}/channels/511502-001/poster.pdf")
    assert r.mimetype == "application/pdf"
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(r.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "翠屏区" in text and "测试调查" in text and "调查截止" in text and "市教育督导室" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.28 x 841.89 pts (A4)" in info
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page-1.png")],
                             capture_output=True, text=True).stdout.strip()
    assert decoded == f"https://pj.example.cn/s/{token}"


def test_the_posters_of_a_county_come_in_one_zip(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    post(evaluator, f"/admin/c/{SLUG}/channels", {"county": "511503", "labels": "第一中学"})
    archive = zipfile.ZipFile(io.BytesIO(zip_of(app, evaluator, "posters", "511503").data))
    names = sorted(archive.namelist())
    assert names == ["511503-001_南溪区_南溪区海报.pdf", "511503-002_南溪区_第一中学.pdf", "links.csv"]
    assert archive.read(names[0]).startswith(b"%PDF")


@pytest.mark.parametrize("name", ["/../../../../../x", "..\\x", "一\x07中", ".hidden"])
def test_a_name_that_would_leave_its_folder_is_refused_where_it_is_typed(app, evaluator, questionnaire, name):
    gen_campaign(app, questionnaire)
    r = post(evaluator, f"/admin/c/{SLUG}/counties", {"code": "511599", "name": name}, page=f"/admin/c/{SLUG}/counties")
    assert r.status_code == 422 and "区县名称" in r.get_data(as_text=True)
    assert "第 1 行" not in r.get_data(as_text=True)          # one county in two fields: no line to point at
    r = post(evaluator, f"/admin/c/{SLUG}/counties/511502/rename", {"name": name}, page=f"/admin/c/{SLUG}/counties")
    told = evaluator.get(r.headers["Location"]).get_data(as_text=True)        # the refusal comes back as a flash
    assert "区县名称" in told and "第 1 行" not in told
    listing = (io.BytesIO(f"code,name\n511599,{name}\n".encode()), "区县.csv")
    r = post(evaluator, f"/admin/c/{SLUG}/counties", {"file": listing}, content_type="multipart/form-data",
             page=f"/admin/c/{SLUG}/counties")
    assert r.status_code == 422 and "第 2 行：区县名称" in r.get_data(as_text=True)
    r = post(evaluator, f"/admin/c/{SLUG}/channels", {"county": "511503", "labels": name})
    assert r.status_code == 422 and "渠道名称" in r.get_data(as_text=True)
    listing = (io.BytesIO(f"county,label\n511503,{name}\n".encode()), "学校.csv")
    r = post(evaluator, f"/admin/c/{SLUG}/channels", {"file": listing}, content_type="multipart/form-data")
    assert r.status_code == 422 and "渠道名称" in r.get_data(as_text=True)
    r = create(evaluator, name=name, counties_text="511502,翠屏区")
    assert "调查名称" in r.get_data(as_text=True)
    with app.app_context(), db.session() as s:
        assert s.scalar(select(Campaign).where(Campaign.slug == "city-2026")) is None
    c = stored_campaign(app)
    assert [county.code for county in c.counties] == ["511502", "511503", "511523"] and len(c.channels) == 3


def test_formula_like_names_come_out_inert_in_every_list_downloaded(app, evaluator, questionnaire, runner):
    gen_campaign(app, questionnaire)
    formula = '=HYPERLINK("evil.example","点我")'
    post(evaluator, f"/admin/c/{SLUG}/counties", {"code": "511599", "name": formula}, page=f"/admin/c/{SLUG}/counties")
    post(evaluator, f"/admin/c/{SLUG}/channels", {"county": "511599", "labels": "@SUM(1)\n+1\n-1"})
    monitor = evaluator.get(f"/admin/c/{SLUG}/monitor.csv").get_data(as_text=True)
    assert "\n511599,\"'=HYPERLINK(" in monitor
    sheet = openpyxl.load_workbook(io.BytesIO(evaluator.get(f"/admin/c/{SLUG}/monitor.xlsx").data)).active
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "511599")
    assert cell.data_type == "s" and cell.value == formula
    archive = zipfile.ZipFile(io.BytesIO(zip_of(app, evaluator, "qr", "511599").data))
    for listing in (archive.read("links.csv").decode("utf-8-sig"), runner("links", SLUG).output):
        rows = list(csv.reader(io.StringIO(listing)))
        assert [row[2:4] for row in rows if row[1] == "511599"] == [
            ["'" + formula, "'@SUM(1)"], ["'" + formula, "'+1"], ["'" + formula, "'-1"]]
