"""Driving the caseworker page as a person does: fields found by their labels' ids, places typed
by name, rows added with the page's own buttons."""

from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait


def wait(driver, timeout: float = 10) -> WebDriverWait:
    # an element found just before the page reloads (a language switch, a submit) goes stale:
    # look again rather than fail
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))


def type_into(driver, field_id: str, text: str) -> None:
    el = driver.find_element(By.ID, field_id)
    el.clear()
    el.send_keys(text)


def choose(driver, field_id: str, value: str) -> None:
    Select(driver.find_element(By.ID, field_id)).select_by_value(value)


def add_row(driver, list_key: str) -> None:
    """Press the list's "add a row" button and wait for the new row."""
    section = driver.find_element(By.ID, f"list-{list_key}")
    before = len(section.find_elements(By.CSS_SELECTOR, "[data-rows] > [data-row]"))
    section.find_element(By.CSS_SELECTOR, "[data-add]").click()
    wait(driver).until(
        lambda d: len(section.find_elements(By.CSS_SELECTOR, "[data-rows] > [data-row]"))
        == before + 1
    )


def open_page(driver, base_url: str, lang: str = "zh") -> None:
    driver.get(f"{base_url}/?lang={lang}")
    wait(driver).until(ec.presence_of_element_located((By.ID, "situation-form")))


def fill_recognition_case(driver, *, target: str = "青岛", first_place: str = "烟台",
                          second_place: str = "Qingdao") -> None:
    """The contract's cross-city worker: 烟台 2000-01..2015-12, 青岛 2016-01..2025-05."""
    type_into(driver, "f-target", target)
    type_into(driver, "f-as_of", "2025-06-01")
    choose(driver, "f-insurance-0-scheme", "employee_medical")
    type_into(driver, "f-insurance-0-place", first_place)
    type_into(driver, "f-insurance-0-from", "2000-01")
    type_into(driver, "f-insurance-0-to", "2015-12")
    add_row(driver, "insurance")
    choose(driver, "f-insurance-1-scheme", "employee_medical")
    type_into(driver, "f-insurance-1-place", second_place)
    type_into(driver, "f-insurance-1-from", "2016-01")
    type_into(driver, "f-insurance-1-to", "2025-05")


def submit(driver) -> None:
    driver.find_element(By.ID, "evaluate").click()
    wait_for_results(driver)


def post_and_wait(driver, button) -> None:
    """Click a button that posts its form (a new page), then wait for that page's results:
    the old page's problems must not count as the new one's."""
    old = driver.find_element(By.TAG_NAME, "html")
    button.click()
    wait(driver, 15).until(lambda _driver: _detached(old))
    wait_for_results(driver)


def _detached(element) -> bool:
    """``ec.staleness_of``, also when chromium answers mid-navigation that the node no longer
    belongs to the document (an error of its own, not a stale reference)."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def wait_for_results(driver) -> None:
    wait(driver, 15).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "[data-as-of], #problems"))
    )


def decision(driver, rule: str):
    return driver.find_element(By.CSS_SELECTOR, f'article.decision[data-rule="{rule}"]')


def outcome_text(card, key: str) -> str:
    return card.find_element(By.CSS_SELECTOR, f'[data-outcome="{key}"] dd').text
