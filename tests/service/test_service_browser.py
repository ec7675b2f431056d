"""The caseworker page in a real headless Chromium, against uvicorn on a loopback port: the
cross-city case typed in by place names, in Chinese and in English; keyboard only; dates checked
as typed; rows added and removed; a phone-sized screen.

Without Chromium these tests fail and say how to install it (conftest.make_driver)."""

from __future__ import annotations

import pagetools as pt
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from servicetools import RECOGNITION_RULE, ChromiumMissing, browser_or_failure, quit_driver


def active_id(driver) -> str:
    return driver.execute_script("return document.activeElement && document.activeElement.id")


def press(driver, *keys: str) -> None:
    """Keys pressed on whatever has focus, as a person at the keyboard does."""
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver, element_id: str, limit: int = 60) -> int:
    """Press Tab until the element has focus; how many presses it took."""
    for n in range(1, limit + 1):
        press(driver, Keys.TAB)
        if active_id(driver) == element_id:
            return n
    raise AssertionError(f"#{element_id} never got focus in {limit} presses of Tab")


def type_here(driver, text: str) -> None:
    press(driver, text)


def test_cross_city_case_in_chinese(browser, live_server):
    pt.open_page(browser, live_server.url, "zh")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    pt.fill_recognition_case(browser, target="青岛", first_place="烟台", second_place="青岛市")
    pt.submit(browser)
    card = pt.decision(browser, RECOGNITION_RULE)
    assert card.get_attribute("data-status") == "eligible"
    assert "符合" in card.find_element(By.CSS_SELECTOR, ".badge").text
    assert pt.outcome_text(card, "recognized_months").startswith("305")
    assert "年5个月" in pt.outcome_text(card, "recognized_months")
    assert "缴费年限互认" in card.find_element(By.CSS_SELECTOR, "blockquote").text
    # the places as understood, and the timeline by city with the recognised months marked
    assert browser.find_element(By.ID, "f-insurance-0-place").get_attribute("value") == (
        "烟台市 Yantai (370600)")
    lanes = browser.find_elements(By.CSS_SELECTOR, ".timeline-svg g.lane")
    assert [lane.get_attribute("data-city") for lane in lanes] == ["370200", "370600"]
    assert len(browser.find_elements(By.CSS_SELECTOR, ".timeline-svg .recognised-strip")) == 2
    # every rule of the pack is shown, each with a status
    cards = browser.find_elements(By.CSS_SELECTOR, "article.decision")
    assert len(cards) >= 9 and all(c.get_attribute("data-status") for c in cards)
    # keyboard users land on the decisions
    assert active_id(browser) == "results-title"


def test_cross_city_case_in_english(browser, live_server):
    pt.open_page(browser, live_server.url, "en")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    pt.fill_recognition_case(browser, target="Qingdao", first_place="Yantai",
                             second_place="qingdao")
    pt.submit(browser)
    card = pt.decision(browser, RECOGNITION_RULE)
    assert card.find_element(By.CSS_SELECTOR, ".decision-title").text == (
        "Recognition of employee medical insurance contribution years")
    assert "eligible" in card.find_element(By.CSS_SELECTOR, ".badge").text
    assert pt.outcome_text(card, "recognized_months") == "305 (25 years 5 months)"
    reasons = card.find_element(By.CSS_SELECTOR, ".reasons").text
    assert "Some of those months were paid in a member place" in reasons


def test_language_switch_keeps_the_case(browser, live_server):
    pt.open_page(browser, live_server.url, "zh")
    pt.fill_recognition_case(browser)
    pt.submit(browser)
    browser.find_element(By.CSS_SELECTOR, "[data-lang-switch]").click()
    pt.wait(browser).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    pt.wait_for_results(browser)
    card = pt.decision(browser, RECOGNITION_RULE)
    assert "eligible" in card.find_element(By.CSS_SELECTOR, ".badge").text
    assert browser.find_element(By.ID, "f-insurance-1-from").get_attribute("value") == "2016-01"


def test_keyboard_only(browser, live_server):
    """Tab to each field, type, add a row with the keyboard, submit with Enter."""
    pt.open_page(browser, live_server.url, "en")
    # skip link, language switch, API docs, then the first field
    assert tab_to(browser, "f-target") <= 4
    type_here(browser, "Qingdao")
    tab_to(browser, "f-as_of")
    type_here(browser, "2025-06-01")
    tab_to(browser, "f-insurance-0-scheme")  # employee medical is already chosen
    tab_to(browser, "f-insurance-0-place")
    type_here(browser, "Yantai")
    tab_to(browser, "f-insurance-0-from")
    type_here(browser, "2000-01")
    tab_to(browser, "f-insurance-0-to")
    type_here(browser, "2015-12")
    add = browser.find_element(By.CSS_SELECTOR, "#list-insurance [data-add]")
    add_id = "add-insurance"
    browser.execute_script("arguments[0].id = arguments[1]", add, add_id)
    tab_to(browser, add_id)
    press(browser, Keys.ENTER)
    pt.wait(browser).until(lambda d: active_id(d) == "f-insurance-1-scheme")
    tab_to(browser, "f-insurance-1-place")
    type_here(browser, "青岛")
    tab_to(browser, "f-insurance-1-from")
    type_here(browser, "2016-01")
    tab_to(browser, "f-insurance-1-to")
    type_here(browser, "2025-05" + Keys.ENTER)
    pt.wait_for_results(browser)
    card = pt.decision(browser, RECOGNITION_RULE)
    assert card.get_attribute("data-status") == "eligible"
    assert pt.outcome_text(card, "recognized_months").startswith("305")


def test_every_control_has_a_label_and_buttons_are_buttons(browser, live_server):
    pt.open_page(browser, live_server.url, "zh")
    unlabelled = browser.execute_script("""
        return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
          .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
          .map(el => el.name);""")
    assert unlabelled == []
    clickable_divs = browser.execute_script(
        "return document.querySelectorAll('div[onclick], span[onclick], [role=button]').length")
    assert clickable_divs == 0


def test_dates_and_months_are_checked_as_typed(browser, live_server):
    pt.open_page(browser, live_server.url, "en")
    month = browser.find_element(By.ID, "f-insurance-0-from")
    error = browser.find_element(By.ID, "f-insurance-0-from-err")
    month.send_keys("2016-1")
    assert not error.is_displayed()  # still typing: nothing to say yet
    month.send_keys("3")
    assert error.is_displayed() and "01-12" in error.text
    assert month.get_attribute("aria-invalid") == "true"
    month.send_keys(Keys.BACKSPACE, Keys.BACKSPACE, "02")
    assert not error.is_displayed()
    to = browser.find_element(By.ID, "f-insurance-0-to")
    to.send_keys("2015-12", Keys.TAB)
    assert "before 'from'" in browser.find_element(By.ID, "f-insurance-0-to-err").text
    day = browser.find_element(By.ID, "f-as_of")
    day.send_keys("2025-02-30", Keys.TAB)
    assert "not a calendar date" in browser.find_element(By.ID, "f-as_of-err").text
    # deciding with a bad date is stopped in the page, on the field
    browser.find_element(By.ID, "evaluate").click()
    assert active_id(browser) == "f-as_of"
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-as-of]")


def test_server_problems_are_shown_beside_the_field(browser, live_server):
    pt.open_page(browser, live_server.url, "en")
    pt.fill_recognition_case(browser, first_place="Atlantis")
    pt.submit(browser)
    summary = browser.find_element(By.ID, "problems")
    assert "no place named 'Atlantis'" in summary.text
    assert active_id(browser) == "problems"
    error = browser.find_element(By.ID, "f-insurance-0-place-err")
    assert error.is_displayed() and "Atlantis" in error.text
    summary.find_element(By.CSS_SELECTOR, "a").click()
    assert browser.current_url.endswith("#f-insurance-0-place")


def test_place_suggestions_come_from_the_registry(browser, live_server):
    pt.open_page(browser, live_server.url, "zh")
    browser.find_element(By.ID, "f-target").send_keys("莱西")
    pt.wait(browser).until(lambda d: d.execute_script(
        "return Array.from(document.querySelectorAll('#place-options option'))"
        ".some(o => o.value.includes('370285'))"))
    browser.find_element(By.ID, "f-target").clear()
    browser.find_element(By.ID, "f-target").send_keys("gaomi")
    pt.wait(browser).until(lambda d: d.execute_script(
        "return Array.from(document.querySelectorAll('#place-options option'))"
        ".some(o => o.value === '高密市 (370785)')"))  # names in the page's language


def test_rows_are_added_and_removed_in_place(browser, live_server):
    pt.open_page(browser, live_server.url, "en")
    for _ in range(2):
        pt.add_row(browser, "insurance")
    pt.type_into(browser, "f-insurance-2-place", "Weihai")
    browser.find_element(By.CSS_SELECTOR, '#list-insurance [value="remove:insurance:1"]').click()
    names = [el.get_attribute("name") for el in browser.find_elements(
        By.CSS_SELECTOR, "#list-insurance [data-rows] input[type=text]")]
    assert names == ["insurance[0].place", "insurance[0].from", "insurance[0].to",
                     "insurance[1].place", "insurance[1].from", "insurance[1].to"]
    assert browser.find_element(By.ID, "f-insurance-1-place").get_attribute("value") == "Weihai"
    assert active_id(browser) == "f-insurance-1-scheme"  # focus stays in the list


@pytest.fixture(scope="module")
def phone():
    driver = browser_or_failure(500, 900)
    if not isinstance(driver, ChromiumMissing):
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 2,
                                "mobile": True})
    try:
        yield driver
    finally:
        quit_driver(driver)


def test_readable_on_a_phone(phone, live_server):
    pt.open_page(phone, live_server.url, "zh")
    pt.fill_recognition_case(phone)
    pt.submit(phone)
    assert phone.execute_script("return window.innerWidth") == 390
    overflow = phone.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    target = phone.find_element(By.ID, "f-target")
    assert target.size["width"] >= 250  # fields take the width of the screen
    card = pt.decision(phone, RECOGNITION_RULE)
    assert card.get_attribute("data-status") == "eligible"
