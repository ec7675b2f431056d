"""The bundled pack's site in headless Chromium, opened from the disk (no server, no network):
every page loads without a console error, every link of every page resolves to a file and, for
a fragment, to an element of it; the search finds rules, parameters and places."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

COLLECT = """
return [Array.from(document.links, a => a.href),
        Array.from(document.querySelectorAll('[id]'), e => e.id)];
"""


def _errors(driver) -> list[str]:
    return [f"{e['level']}: {e['message']}" for e in driver.get_log("browser")
            if e["level"] in ("SEVERE", "WARNING")]


def test_every_page_loads_cleanly_and_every_link_resolves(site: Path, site_browser):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100
    ids: dict[Path, set[str]] = {}
    links: dict[Path, list[str]] = {}
    problems = []
    site_browser.get_log("browser")  # drop what came before
    for page in pages:
        site_browser.get(page.as_uri())
        hrefs, found = site_browser.execute_script(COLLECT)
        ids[page] = set(found)
        links[page] = hrefs
        problems += [f"{page.relative_to(site)}: {e}" for e in _errors(site_browser)]
    assert problems == [], problems[:10]
    broken = []
    for page, hrefs in links.items():
        for href in hrefs:
            parts = urlsplit(href)
            assert parts.scheme == "file", f"{page}: {href} leaves the disk (needs a network)"
            target = Path(unquote(parts.path))
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {href}")
            elif parts.fragment and parts.fragment not in ids.get(target, set()):
                broken.append(f"{page.relative_to(site)} -> {href} (no #{parts.fragment})")
    assert broken == [], broken[:20]
    assert sum(len(h) for h in links.values()) > 2000


def test_a_quote_is_highlighted_and_links_to_its_rules(site: Path, site_browser):
    rule = "medical_insurance.contribution_years_recognition"
    site_browser.get((site / "zh" / "rules" / f"{rule}.html").as_uri())
    to_source = site_browser.find_element(By.CSS_SELECTOR, "#basis .to-source")
    to_source.click()
    fragment = urlsplit(site_browser.current_url).fragment
    mark = site_browser.find_element(By.CSS_SELECTOR, f"mark[data-quotes~='{fragment}']")
    assert "缴费年限互认" in mark.text
    cites = site_browser.execute_script(
        "var e = document.getElementById(arguments[0]); while (e && !(e.classList && "
        "e.classList.contains('sentence'))) e = e.parentNode; "
        "return Array.from(e.querySelectorAll('sup.cites a'), a => a.href);", fragment)
    assert any(c.endswith(f"rules/{rule}.html") for c in cites), cites


def test_search_finds_rules_parameters_and_places(site: Path, site_browser):
    site_browser.get((site / "en" / "index.html").as_uri())
    box = site_browser.find_element(By.CSS_SELECTOR, "header form.search input")
    box.send_keys("loan cap", Keys.ENTER)
    WebDriverWait(site_browser, 10).until(lambda d: "search.html?q=loan+cap" in d.current_url)
    results = site_browser.find_elements(By.CSS_SELECTOR, "#results li")
    texts = [r.text for r in results]
    assert any("provident_fund.loan_cap" in t for t in texts), texts
    search = site_browser.find_element(By.ID, "q")
    search.clear()
    search.send_keys("莱阳")
    texts = [r.text for r in site_browser.find_elements(By.CSS_SELECTOR, "#results li")]
    assert any("370682" in t for t in texts), texts
    search.clear()
    search.send_keys("zzzz-nothing")
    assert site_browser.find_element(By.ID, "search-none").is_displayed()
    search.clear()
    search.send_keys("recognition of employee medical")
    first = site_browser.find_element(By.CSS_SELECTOR, "#results li a")
    first.click()
    WebDriverWait(site_browser, 10).until(lambda d: "/rules/" in d.current_url)
    assert site_browser.current_url.endswith(
        "en/rules/medical_insurance.contribution_years_recognition.html")
    assert _errors(site_browser) == []
