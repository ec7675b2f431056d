"""The caseworker page in headless Chromium, for what issue 17 added: the new fields, decisions
grouped and folded, a case exported and loaded from a file, and axe-core's accessibility check
(no serious or critical violation, in Chinese and English, at desktop and phone widths).

axe-core is vendored (tests/service/vendor/axe.min.js): no network at test time. One browser
for the whole module."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pagetools as pt
import pytest
from selenium.webdriver.common.by import By
from servicetools import RECOGNITION_RULE

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
DESKTOP, PHONE = (1280, 900), (390, 844)


def run_axe(driver) -> list[dict]:
    """axe-core's violations on the page as it is now (serious and critical only)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations)).catch(e => done({error: String(e)}));"
    )
    assert not isinstance(result, dict), result
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result if v["impact"] in ("serious", "critical")
    ]


def submit_and_wait(driver) -> None:
    """Submit, and wait for the new page (the old one may show decisions already)."""
    from selenium.common.exceptions import WebDriverException

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, "evaluate").click()

    def gone(_driver) -> bool:
        # stale, or (asked while the page unloads) an error of a document going away
        try:
            old.is_enabled()
        except WebDriverException:  # StaleElementReferenceException included
            return True
        return False

    pt.wait(driver, 15).until(gone)
    pt.wait_for_results(driver)


def decided_page(driver, url: str, lang: str) -> None:
    pt.open_page(driver, url, lang)
    pt.fill_recognition_case(driver, target="青岛" if lang == "zh" else "Qingdao")
    pt.submit(driver)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_axe_finds_no_serious_violation(browser, live_server, lang, size):
    browser.set_window_size(*size)
    try:
        # the decided case holds the whole form as well as the decisions
        decided_page(browser, live_server.url, lang)
        # unfold everything a reader can unfold, so that it is checked too
        browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert run_axe(browser) == [], "the decided case, every section unfolded"
        pt.type_into(browser, "f-insurance-1-place", "烟苔")  # no such place: the server says so
        submit_and_wait(browser)
        assert browser.find_elements(By.ID, "problems")
        assert run_axe(browser) == [], "the form with a problem"
    finally:
        browser.set_window_size(*DESKTOP)


def test_the_vendored_axe_is_there_and_runs(browser, live_server):
    assert AXE.is_file(), f"{AXE} is missing: see tests/service/vendor/README.md"
    pt.open_page(browser, live_server.url, "en")
    # a page with a known violation: an image without a text alternative
    browser.execute_script(
        "const i = document.createElement('img'); i.src = 'data:,'; document.body.append(i);")
    assert "image-alt" in {v["id"] for v in run_axe(browser)}


def test_decisions_grouped_applicable_first_the_rest_folded(browser, live_server):
    decided_page(browser, live_server.url, "en")
    groups = browser.find_elements(By.CSS_SELECTOR, "[data-group]")
    statuses = [g.get_attribute("data-group") for g in groups]
    assert statuses[0] == "eligible"
    assert statuses.index("undetermined") < statuses.index("not_applicable")
    folded = browser.find_element(By.ID, "group-not_applicable")
    assert folded.tag_name == "details" and folded.get_attribute("open") is None
    card = folded.find_element(By.CSS_SELECTOR, "article.decision")
    assert not card.is_displayed()
    folded.find_element(By.TAG_NAME, "summary").click()
    assert card.is_displayed()
    eligible = browser.find_element(By.ID, "group-eligible")
    assert eligible.find_element(
        By.CSS_SELECTOR, f'article[data-rule="{RECOGNITION_RULE}"]').is_displayed()
    # the summary and the questions to ask are above the decisions
    counts = browser.find_element(By.CSS_SELECTOR, ".counts").location["y"]
    assert counts < eligible.location["y"]


def test_new_fields_and_ask_next_links_land_on_fields(browser, live_server):
    pt.open_page(browser, live_server.url, "en")
    pt.type_into(browser, "f-target", "Laixi")
    pt.type_into(browser, "f-as_of", "2025-06-01")
    pt.choose(browser, "f-person-talent", "high_level")
    pt.choose(browser, "f-request-hospital_grade", "3")
    pt.add_row(browser, "results")
    pt.choose(browser, "f-results-0-kind", "medical_test")
    pt.type_into(browser, "f-results-0-place", "Laiyang")
    pt.choose(browser, "f-results-0-hospital_grade", "2")
    pt.submit(browser)
    card = pt.decision(browser, "health.test_result_recognition")
    assert card.get_attribute("data-status") in ("eligible", "undetermined")
    assert browser.find_element(By.ID, "f-results-0-place").get_attribute("value").endswith(
        "(370682)")
    # every "ask next" link goes to a field of the form, unfolding what holds it
    links = browser.find_elements(By.CSS_SELECTOR, ".ask a[href^='#']")
    assert links
    for link in links:
        target = link.get_attribute("href").split("#", 1)[1]
        assert target != "f-extra"
        assert browser.find_elements(By.ID, target), target
    project_question = [a for a in links if "project" in a.get_attribute("href")]
    if project_question:
        project_question[0].click()
        assert browser.find_element(By.ID, "section-project").get_attribute("open") is not None


def test_a_case_loaded_from_a_file_and_exported(browser, live_server, tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({
        "as_of": "2025-06-01", "target": "370200",
        "insurance": [{"scheme": "employee_medical", "place": "370600", "from": "2000-01",
                       "to": "2015-12"},
                      {"scheme": "employee_medical", "place": "370200", "from": "2016-01",
                       "to": "2025-05"}]}), encoding="utf-8")
    pt.open_page(browser, live_server.url, "zh")
    browser.find_element(By.CSS_SELECTOR, "#section-case summary").click()
    browser.find_element(By.ID, "f-case-file").send_keys(str(case))
    pt.wait_for_results(browser)
    assert pt.decision(browser, RECOGNITION_RULE).get_attribute("data-status") == "eligible"
    assert browser.find_element(By.ID, "f-insurance-0-place").get_attribute("value") == (
        "烟台市 Yantai (370600)")
    # exported: the download is the same situation
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(downloads)})
    browser.find_element(By.CSS_SELECTOR, "#section-case summary").click()
    browser.find_element(By.ID, "export-json").click()
    deadline = time.monotonic() + 15
    while not list(downloads.glob("situation*.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    saved = json.loads(next(downloads.glob("situation*.json")).read_text(encoding="utf-8"))
    assert saved["insurance"] == json.loads(case.read_text(encoding="utf-8"))["insurance"]
    assert saved["target"] == "370200"
