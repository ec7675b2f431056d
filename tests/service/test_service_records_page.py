"""The caseworker page with recording on, in headless Chromium: the record id after deciding,
a decision letter that is all the print stylesheet prints (decisions, firmness, basis, record
id, pack digest, date), and a case reopened from its record id with the deployment's token."""

from __future__ import annotations

import pagetools as pt
import pytest
from fastapi.testclient import TestClient
from selenium.webdriver.common.by import By
from servicetools import LiveServer

from tongcheng.records.store import RecordStore
from tongcheng.records.writer import RecordingSettings
from tongcheng.service.app import create_app

TOKEN = "page-token"


@pytest.fixture(scope="module")
def recording_server(tmp_path_factory):
    url = str(tmp_path_factory.mktemp("records") / "r.db")
    app = create_app(recording=RecordingSettings(url, token=TOKEN, actor_header="X-Caseworker"))
    with LiveServer(app) as server:
        yield server, url
    app.state.recorder.close()


def _visible(driver, selector: str) -> bool:
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "return !!e && getComputedStyle(e).display !== 'none';", selector)


def test_record_id_letter_and_reopening(browser, recording_server):
    server, url = recording_server
    browser.get(server.url + "/?lang=en")
    pt.fill_recognition_case(browser, target="Qingdao", first_place="Yantai",
                             second_place="Qingdao")
    pt.submit(browser)
    record_id = browser.find_element(By.CSS_SELECTOR, "[data-record-id]").text
    store = RecordStore.open(url)
    record = store.get(record_id)
    store.close()
    assert record is not None and record.channel == "page" and record.lang == "en"
    assert record.decision("medical_insurance.contribution_years_recognition").status == \
        "eligible"
    # on screen: the decisions, not the letter; printed: the letter alone
    assert _visible(browser, ".decisions") and not _visible(browser, ".letter")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert _visible(browser, ".letter")
        assert not _visible(browser, "#situation-form") and not _visible(browser, ".decisions")
        letter = browser.find_element(By.CSS_SELECTOR, ".letter").text
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert record_id in letter and record.pack_digest in letter and "2025-06-01" in letter
    assert "Recognition of employee medical insurance contribution years" in letter
    assert "eligible" in letter and "in force" in letter
    assert "缴费年限互认" in letter  # the quoted basis sentence
    # reopen: a wrong token shows nothing of the record; the right one fills the form
    browser.get(server.url + "/?lang=en")
    browser.find_element(By.ID, "reopen-id").send_keys(record_id)
    browser.find_element(By.ID, "reopen-token").send_keys("wrong")
    pt.post_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".reopen button"))
    assert "not the access token" in browser.find_element(By.ID, "problems").text
    assert browser.find_element(By.ID, "f-target").get_attribute("value") == ""
    browser.find_element(By.ID, "reopen-id").send_keys(record_id)
    browser.find_element(By.ID, "reopen-token").send_keys(TOKEN)
    pt.post_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".reopen button"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-record-id]").text == record_id
    assert "370200" in browser.find_element(By.ID, "f-target").get_attribute("value")
    assert browser.find_element(By.ID, "f-insurance-1-from").get_attribute("value") == "2016-01"
    card = browser.find_element(By.CSS_SELECTOR, "article.decision[data-rule="
                                "'medical_insurance.contribution_years_recognition']")
    assert card.get_attribute("data-status") == "eligible"


def test_reopening_in_chinese_names_problems_in_chinese(recording_server):
    server, _ = recording_server
    client = TestClient(server.server.config.app)
    answer = client.post("/v1/records/reopen", data={"record": "01M95F408HFXCWC01GFV6G9ETY",
                                                     "token": TOKEN, "_lang": "zh"})
    assert answer.status_code == 404 and "没有这个记录编号" in answer.text
    answer = client.post("/v1/records/reopen", data={"record": "x", "token": "no"})
    assert answer.status_code == 401 and "查询令牌不正确" in answer.text
