"""The workspace (evaluators, administrators) and the staff pages against WCAG 2.1 AA with axe-core,
on a laptop's screen, plus what axe cannot see: keyboard sorting, the review's tab order, layout
shifts of the charts and the monitor on a narrow or zoomed screen (skipped without Chromium)."""
import pytest
from sqlalchemy import select, update

from survey_app import db
from survey_app.models import QuestionnaireVersion, Response
from survey_app.services import library, quotas
from survey_app.services.campaigns import find_campaign
from tests.helpers import PASSWORD, gen_campaign, gen_user, login, post, submit, valid_answers
from tests.survey_app.test_accessibility import WCAG_21_AA
from tests.survey_app.test_admin_campaigns import good_targets, targets_file
from tests.survey_app.test_staff import wait_for_results

SLUG = "test-2026"
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def site(app, questionnaire):
    """A campaign with a full page of responses to review (and a second page), targets, quotas, two
    questionnaire versions, and one account of each role; returns a receipt, the two versions' ids and
    the administrator's id."""
    tokens = gen_campaign(app, questionnaire)
    resident = app.test_client()
    for i in range(102):
        submit(resident, tokens[i % 3], valid_answers(questionnaire, str(1 + i % 5), q01=str(1 + (i + 1) % 5)))
    admin = gen_user(app, "root", "admin")
    gen_user(app, "eva", "evaluator")
    gen_user(app, "city", "staff")
    evaluator = app.test_client()
    login(evaluator)
    assert post(evaluator, f"/admin/c/{SLUG}/targets", targets_file(good_targets()),
                content_type="multipart/form-data").status_code == 302
    with app.app_context(), db.session() as s:
        campaign = find_campaign(s, SLUG)
        quotas.replace(s, campaign, {(c.code, "", ""): 40 for c in campaign.counties}, None)
        library.ensure_builtins(s)
        first = s.scalar(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id))
        library.create(s, {**first.definition, "version": "2026.3", "title": "县域教育满意度调查（修订）"}, None)
        versions = s.scalars(select(QuestionnaireVersion.id).order_by(QuestionnaireVersion.id)).all()
        s.execute(update(Response).values(duration_s=240))      # not too fast: results use them
        receipt = s.scalar(select(Response.submission_id).order_by(Response.id))
    return {"receipt": receipt, "old": versions[0], "new": versions[-1], "admin": admin}


def signed_in(browser, server, username, viewport=LAPTOP):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button.btn")
    page.wait_for_load_state()
    return page


def violations(page) -> str:
    """axe-core's WCAG 2.1 AA violations of the page, a line per rule with its first elements; "" if none."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    found = axe.run(page, options=WCAG_21_AA).response["violations"]
    return "".join(f"  {v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']}: "
                   + " | ".join(n["html"][:120] for n in v["nodes"][:3]) + "\n" for v in found)


def checked(page, url) -> str:
    """The axe report of `url` ("" when it has no violation), named by the page for the assertion."""
    response = page.goto(url)
    assert response.status < 400, (url, response.status)
    report = violations(page)
    return f"{url}:\n{report}" if report else ""


def test_every_evaluator_page_has_no_violations(server, browser, site):
    page = signed_in(browser, server, "eva")
    c = f"{server}/admin/c/{SLUG}"
    q = f"{server}/admin/questionnaires"
    urls = [f"{server}/admin/", f"{server}/admin/campaigns/new", f"{c}/", f"{c}/counties", f"{c}/targets",
            f"{c}/quotas", f"{c}/quotas?total=300&floor=50&attribute=area", f"{c}/channels",
            f"{c}/channels/511502-001/try", f"{c}/monitor",
            f"{c}/review", f"{c}/review?flag=", f"{c}/responses/{site['receipt']}",
            q, f"{q}/{site['old']}/edit", f"{q}/new?from={site['old']}", f"{q}/{site['new']}/phone",
            f"{q}/compare?old={site['old']}&new={site['new']}"]
    reports = [checked(page, url) for url in urls]
    page.goto(f"{q}/{site['new']}/edit")                  # the editor showing a mistake at its field
    page.fill("#title", "")
    page.fill("#scale-0-code", "99")
    page.click("form.editor button.btn")
    assert page.get_attribute("#scale-0-code", "aria-invalid") == "true"
    reports.append(violations(page))
    page.goto(f"{c}/channels")                             # a ZIP of posters: its page while queued, then done
    page.click("text=生成全部海报（ZIP，A4 PDF）")
    reports.append(violations(page))
    page.wait_for_selector("text=已完成", timeout=60_000)     # the `server` fixture's worker builds it
    reports += [violations(page), checked(page, f"{c}/channels")]
    assert not any(reports), "\n".join(filter(None, reports))


def test_every_administrator_page_and_the_login_and_error_pages_have_no_violations(server, browser, site):
    anonymous = browser.new_context(viewport=LAPTOP).new_page()
    reports = [checked(anonymous, f"{server}/login")]
    anonymous.goto(f"{server}/admin/c/{SLUG}/nothing")
    reports.append(violations(anonymous))
    page = signed_in(browser, server, "root")
    reports += [checked(page, f"{server}/admin/{path}") for path in ("accounts", f"accounts/{site['admin']}", "audit")]
    assert not any(reports), "\n".join(filter(None, reports))


def computed(app, server, browser):
    """A staff member's page once the campaign's results are computed."""
    client = app.test_client()
    login(client, "city")
    assert "全市" in wait_for_results(app, client).get_data(as_text=True)
    return signed_in(browser, server, "city")


def test_every_staff_page_has_no_violations(app, server, browser, site):
    page = computed(app, server, browser)
    reports = [checked(page, f"{server}/staff/{path}")
               for path in ("", f"c/{SLUG}/", f"c/{SLUG}/county/511502")]
    assert not any(reports), "\n".join(filter(None, reports))


def test_result_tables_sort_from_the_keyboard_and_say_their_order(app, server, browser, site):
    page = computed(app, server, browser)
    page.goto(f"{server}/staff/c/{SLUG}/")
    heading = page.locator("table[data-sortable] th", has_text="满意度指数")
    button = heading.get_by_role("button", name="满意度指数")

    def column():
        return page.eval_on_selector_all("table[data-sortable] tr", "rows => rows.slice(1).map(r => r.cells[1].textContent)")

    for expected in ("descending", "ascending"):
        button.focus()
        page.keyboard.press("Enter")
        assert heading.get_attribute("aria-sort") == expected
        values = [float(v) for v in column()[:-1]]
        assert values == sorted(values, reverse=expected == "descending")
        assert page.locator("table[data-sortable] tr").last.inner_text().startswith("全市")   # the total stays last
    page.keyboard.press("Tab")                                     # the next heading is the next stop
    assert page.evaluate("document.activeElement.textContent") == "95% 置信区间"
    page.keyboard.press("Space")
    assert heading.get_attribute("aria-sort") is None
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("95% 置信区间")


def test_charts_keep_their_place_while_they_load(app, server, browser, site):
    """Each chart's <img> carries the PNG's size: what follows a chart stays put when it arrives."""
    page = computed(app, server, browser)
    held = []
    page.route("**/staff/c/*/files/*", lambda route: held.append(route))     # charts wait until released
    below = "(i => i.nextElementSibling.getBoundingClientRect().top + window.scrollY)"
    for path in (f"c/{SLUG}/", f"c/{SLUG}/county/511502"):
        page.goto(f"{server}/staff/{path}", wait_until="domcontentloaded")
        before = page.eval_on_selector_all("main img", f"images => images.map({below})")
        assert before and held
        while held:
            held.pop().continue_()
        page.wait_for_function("() => [...document.querySelectorAll('main img')].every(i => i.complete && i.naturalWidth)")
        assert page.eval_on_selector_all("main img", f"images => images.map({below})") == before
        for size in page.eval_on_selector_all("main img", """images => images.map(i =>
                [+i.getAttribute("width"), +i.getAttribute("height"), i.naturalWidth, i.naturalHeight])"""):
            assert size[:2] == size[2:]


@pytest.mark.parametrize("viewport, zoom", [({"width": 768, "height": 1024}, 1),      # a tablet
                                            ({"width": 683, "height": 384}, 2)])      # 1366 x 768 at 200%
def test_the_monitor_fits_a_tablet_and_a_200_percent_zoom(server, browser, site, viewport, zoom):
    page = browser.new_context(viewport=viewport, device_scale_factor=zoom).new_page()
    page.goto(f"{server}/login")
    page.fill("#username", "eva")
    page.fill("#password", PASSWORD)
    page.click("button.btn")
    page.goto(f"{server}/admin/c/{SLUG}/monitor")
    lines = page.eval_on_selector_all("main .scroll td:first-child", """cells => cells.map(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return [cell.textContent, new Set([...range.getClientRects()].map(r => Math.round(r.top))).size];
    })""")
    assert len(lines) >= 8 and all(n == 1 for _, n in lines), lines           # names on one line
    cut = page.eval_on_selector_all("main .scroll", """boxes => boxes
        .filter(box => box.scrollWidth > box.clientWidth + 1)
        .map(box => box.querySelector("tr").textContent)""")
    assert cut == []                                                   # every heading in view, none cut off


def test_the_review_decision_comes_before_the_rows_in_the_tab_order(server, browser, site):
    page = signed_in(browser, server, "eva")
    page.goto(f"{server}/admin/c/{SLUG}/review?flag=")
    assert page.locator("input[name=response]").count() == 100
    page.focus("button:text-is('筛选')")
    stops = []
    for _ in range(5):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.id || document.activeElement.textContent"
                                   " || document.activeElement.getAttribute('aria-label')"))
    assert stops == ["reason", "scope", "剔除", "恢复", "全选本页"]
