import io
import shutil
from datetime import UTC, datetime

import pandas as pd
import pytest

from survey_app import db
from survey_app.services import campaigns, responses
from tests.helpers import PASSWORD, login, questionnaire_with_five_mistakes, submit, valid_answers


@pytest.fixture
def counties_csv(tmp_path):
    path = tmp_path / "counties.csv"
    path.write_text("\ufeffcode,name\n511502,翠屏区\n511503,南溪区\n", encoding="utf-8")
    return path


def create(runner, counties_csv, *options, slug="city-2026"):
    return runner("campaign", "create", slug, "--counties", counties_csv, "--name", "2026年满意度调查",
               "--organizer", "市教育督导室", "--opens", "2020-01-01", "--closes", "2099-12-31 18:00", *options)


def test_create_campaign_add_channels_list_links_and_write_qr(runner, counties_csv, tmp_path):
    result = create(runner, counties_csv)
    assert result.exit_code == 0 and "2 个区县" in result.output
    result = runner("channel", "add", "city-2026", "511502", "城关中学", "人民广场海报")
    assert result.exit_code == 0
    assert "511502-001\t城关中学\thttps://pj.example.cn/s/" in result.output
    assert "511502-002\t人民广场海报" in result.output
    links = pd.read_csv(io.StringIO(runner("links", "city-2026").output), dtype=str)
    assert list(links.channel) == ["511502-001", "511502-002"]
    assert links.url.str.match(r"^https://pj\.example\.cn/s/[\w-]{12}$").all()
    assert links.url.nunique() == 2
    result = runner("qr", "city-2026", "--out", tmp_path / "qr")
    assert result.exit_code == 0
    png = tmp_path / "qr" / "511502-001_翠屏区_城关中学.png"
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (tmp_path / "qr" / "511502-001_翠屏区_城关中学.svg").read_text()
    assert "city-2026" in runner("campaign", "list").output


@pytest.mark.parametrize("content, words", [
    ("code,name\n5115,翠屏区\n", "第 2 行"),
    ("code,name\n511502,翠屏区\n511502,南溪区\n", "重复"),
    ("id,title\n511502,翠屏区\n", "缺少列"),
])
def test_bad_counties_file_is_refused_and_nothing_created(runner, tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = create(runner, path)
    assert result.exit_code == 1 and words in result.output
    assert runner("campaign", "list").output == ""


def test_a_questionnaire_file_with_mistakes_gets_all_of_them_printed(runner, counties_csv, tmp_path):
    text, expected = questionnaire_with_five_mistakes()
    (tmp_path / "five.yaml").write_text(text, encoding="utf-8")
    result = create(runner, counties_csv, "--questionnaire", tmp_path / "five.yaml")
    assert result.exit_code == 1 and "five.yaml 有 5 处问题" in result.output
    assert [f"第 {line} 行" in out and f"（{field}）" in out
            for (field, line), out in zip(expected, result.output.splitlines()[1:])] == [True] * 5
    assert runner("campaign", "list").output == ""


def test_the_campaign_list_shows_each_status_in_chinese(app, runner, counties_csv):
    create(runner, counties_csv)
    assert "进行中" in runner("campaign", "list").output
    with app.app_context(), db.session() as s:
        campaigns.change_state(s, campaigns.find_campaign(s, "city-2026"), "pause", datetime.now(UTC), None)
    result = runner("campaign", "list")
    assert result.exit_code == 0 and "city-2026\t2026年满意度调查\t已暂停\t0 份答卷" in result.output


def test_duplicate_campaign_and_unknown_county_are_refused(runner, counties_csv):
    create(runner, counties_csv)
    assert "已存在" in create(runner, counties_csv).output
    result = runner("channel", "add", "city-2026", "999999", "某校")
    assert result.exit_code == 1 and "没有区县 999999" in result.output


def test_export_round_trip(app, client, channel_token, questionnaire, runner, tmp_path):
    submit(client, channel_token, valid_answers(questionnaire, q03="9", q16="1"))
    submit(client, channel_token, valid_answers(questionnaire, "5", respondent_type="public", stage="",
                                                area="rural"))
    out = tmp_path / "responses.csv"
    result = runner("export", "responses", "test-2026", "--out", out)
    assert result.exit_code == 0 and "已导出 2 份" in result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfresponse_id,county,channel,respondent_type")
    exported = pd.read_csv(out, encoding="utf-8-sig", dtype={"county": str})
    assert list(exported.columns) == responses.header(questionnaire)
    first, second = exported.iloc[0], exported.iloc[1]
    assert (first.county, first.channel, first.respondent_type, first.stage) == ("511502", "511502-001",
                                                                                  "parent", "primary")
    assert pd.isna(first.q03) and first.q16 == 1 and first.q01 == 4
    assert second.area == "rural" and pd.isna(second.stage)
    assert second.flag_straightline == 1 and second.flag_repeat_device == 1
    with app.app_context(), db.session() as session:
        loaded = responses.load_frame(session.connection(), campaigns.find_campaign(session, "test-2026"))
    loaded["submitted_at"] = loaded["submitted_at"].dt.floor("s")
    exported["submitted_at"] = pd.to_datetime(exported["submitted_at"])
    pd.testing.assert_frame_equal(exported, loaded, check_dtype=False, check_categorical=False)


def test_export_of_an_empty_campaign_writes_the_header(app, channel_token, runner):
    result = runner("export", "responses", "test-2026", "--out", "-")
    assert result.stdout.splitlines()[0].lstrip("\ufeff").startswith("response_id,county,channel")


def test_demo_builds_a_simulated_campaign(app, runner, tmp_path):
    result = runner("demo", "--responses", 3000, "--no-serve")
    assert result.exit_code == 0, result.output
    assert "已生成 3000 份模拟答卷" in result.output
    demo = tmp_path / "data" / "demo"
    links = pd.read_csv(demo / "links.csv", dtype=str)
    assert links.county.nunique() == 10 and len(list((demo / "qr").glob("*.png"))) == len(links)
    assert links.groupby("county").size().min() >= 20 and links.label.str.contains("小学").any()   # one per school
    targets = pd.read_csv(demo / "targets.csv", dtype={"county": str})
    totals = targets.groupby(["county", "variable"]).population.sum().unstack()
    assert (totals["area"] == totals["respondent_type"]).all()
    exported = pd.read_csv(io.StringIO(runner("export", "responses", "demo", "--out", "-").stdout.lstrip("\ufeff")),
                           encoding="utf-8", dtype={"county": str})
    assert len(exported) == 3000
    assert exported.county.value_counts().max() > 5 * exported.county.value_counts().min()
    assert 0.005 < exported[[f"q{i:02d}" for i in range(1, 17)]].isna().mean().mean() < 0.1
    for flag in ["flag_speeder", "flag_straightline", "flag_repeat_device"]:
        assert 0 < exported[flag].mean() < 0.2
    county = pd.read_csv(demo / "results" / "county_results.csv", encoding="utf-8-sig", dtype={"county": str})
    assert len(county) == 11 and county["index"].between(0, 100).all()
    assert "加权满意度指数" in result.output and "全市" in result.output and "可能名次" in result.output
    assert "持平" in result.output or "于全市" in result.output
    password = (demo / "evaluator-password.txt").read_text()
    assert f"用户名 demo-evaluator  密码 {password}" in result.output
    assert login(app.test_client(), "demo-evaluator", password).status_code == 302
    written = {p: p.stat().st_mtime_ns for p in (demo / "qr").iterdir()}
    again = runner("demo", "--responses", 3000, "--no-serve").output
    assert "已存在" in again and f"密码 {password}" in again
    assert {p: p.stat().st_mtime_ns for p in (demo / "qr").iterdir()} == written    # the same links: not rewritten
    # The database (PostgreSQL, say) keeps the demo while the data folder is lost: it is written anew.
    shutil.rmtree(demo)
    anew = runner("demo", "--responses", 3000, "--no-serve")
    assert anew.exit_code == 0, anew.output
    password = (demo / "evaluator-password.txt").read_text()
    assert (demo / "targets.csv").exists() and f"密码 {password}" in anew.output
    assert login(app.test_client(), "demo-evaluator", password).status_code == 302


def test_a_small_demo_weights_its_small_counties_by_the_documented_fallbacks(runner):
    result = runner("demo", "--responses", 300, "--no-serve")
    assert result.exit_code == 0, result.output
    assert "无法同时满足“您的身份是”、“您居住在”的人口目标：加权时将" in result.output
    assert "加权满意度指数" in result.output and "未收敛" not in result.output


def test_labels_with_slashes_are_refused_and_qr_files_stay_in_the_output_folder(app, runner, counties_csv, tmp_path):
    create(runner, counties_csv)
    result = runner("channel", "add", "city-2026", "511502", "一中/二中")
    assert result.exit_code == 1 and "渠道名称“一中/二中”不能包含 /" in result.output
    runner("channel", "add", "city-2026", "511502", "一中", "外面")
    with app.app_context(), db.session() as s:     # labels stored before the rule
        first, second = campaigns.find_campaign(s, "city-2026").channels
        first.label, second.label = "一中/二中", "../外面"
    result = runner("qr", "city-2026", "--out", tmp_path / "qr")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "qr").iterdir())
    assert names == ["511502-001_翠屏区_一中_二中.png", "511502-001_翠屏区_一中_二中.svg",
                     "511502-002_翠屏区_.._外面.png", "511502-002_翠屏区_.._外面.svg"]


def test_export_into_a_missing_folder_is_a_clear_error(app, channel_token, runner, tmp_path):
    result = runner("export", "responses", "test-2026", "--out", tmp_path / "nowhere" / "r.csv")
    assert result.exit_code == 1 and "输出目录" in result.output and "不存在" in result.output


def test_the_first_administrator_is_created_on_the_command_line(app, runner, client):
    result = runner("user", "create", "root", "--role", "admin", "--password", "first-admin-2026")
    assert result.exit_code == 0 and "已创建账号 root" in result.output
    assert login(client, "root", "first-admin-2026").headers["Location"] == "/admin/accounts"
    assert "已存在" in runner("user", "create", "root", "--role", "admin", "--password", "first-admin-2026").output
    result = runner("user", "create", "weak", "--role", "staff", "--password", "123")
    assert result.exit_code == 1 and "密码至少 10 个字符" in result.output


def test_a_new_account_is_told_its_login_link_only_when_the_address_is_known(app_config, monkeypatch):
    from click.testing import CliRunner

    from survey_app.cli import main
    monkeypatch.delenv("SURVEY_BASE_URL", raising=False)
    unknown = {k: v for k, v in app_config.items() if k != "BASE_URL"}
    for username, config, words in [("eva", app_config, "登录：https://pj.example.cn/login"),
                                    ("kim", unknown, "服务器网址后加 /login")]:
        result = CliRunner().invoke(main, ["user", "create", username, "--role", "evaluator", "--password", PASSWORD],
                                    obj=config)
        assert result.exit_code == 0 and "（评估人员）" in result.output and words in result.output, result.output
        assert "127.0.0.1:8000" not in result.output


def test_a_forgotten_password_is_reset_on_the_command_line(app, runner, client):
    runner("user", "create", "eva", "--role", "evaluator", "--password", "first-secret-1")
    assert runner("user", "password", "eva", "--password", "second-secret-2").exit_code == 0
    assert login(client, "eva", "second-secret-2").status_code == 302
    assert runner("user", "password", "nobody", "--password", "second-secret-2").exit_code == 1


def test_serve_opens_no_database_connection_that_the_workers_would_inherit(runner, monkeypatch):
    # A worker holding a copy of the master's SQLite connection loses its own file locks when
    # that copy is closed: two writers then corrupt the database.
    from survey_app import server
    from survey_app.cli import system
    served, make = {}, system._app_serving
    monkeypatch.setattr(system, "_app_serving", lambda bind: served.setdefault("app", make(bind)))
    monkeypatch.setattr(server, "run", lambda *args: served.update(
        open=served["app"].extensions["survey_engine"].pool.checkedin()))
    result = runner("serve", "--bind", "127.0.0.1:0")
    assert result.exit_code == 0, result.output
    assert served["open"] == 0


def test_a_database_without_tables_gets_a_chinese_hint_not_a_traceback(tmp_path):
    from click.testing import CliRunner

    from survey_app.cli import main
    result = CliRunner().invoke(main, ["campaign", "list"],
                                obj={"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}", "DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "错误：数据库还没有建立或版本较旧：请先运行 survey db upgrade" in result.output
