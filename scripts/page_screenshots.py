"""Screenshots of the caseworker page for the README: the Yantai -> Qingdao worker typed in by
place names and decided, in Chinese and English, on a desk screen and a phone.

Needs Debian's chromium and chromium-driver (as the browser tests do) and a CJK font
(`apt-get install fonts-noto-cjk`: without it Chinese shows as boxes). Writes PNG files to
docs/screenshots/ (or the folder given):

    .venv/bin/python scripts/page_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "service"))

import pagetools as pt  # noqa: E402
from servicetools import LiveServer, make_driver, quit_driver  # noqa: E402

from tongcheng.service import create_app  # noqa: E402

SHOTS = [
    # name, lang, css width, css height, phone
    ("page-zh-desktop", "zh", 1366, 1500, False),
    ("page-en-desktop", "en", 1366, 1500, False),
    ("page-zh-phone", "zh", 390, 844, True),
    ("page-en-phone", "en", 390, 844, True),
]


def fill_person(driver, lang: str) -> None:
    """The rest of the example's facts: who the person is, where they live and work."""
    pt.type_into(driver, "f-person-birth_date", "1975-05-10")
    pt.choose(driver, "f-person-sex", "male")
    pt.type_into(driver, "f-person-hukou", "烟台" if lang == "zh" else "Yantai")
    pt.type_into(driver, "f-person-lives_in", "青岛" if lang == "zh" else "Qingdao")
    pt.choose(driver, "f-person-employment", "employed")
    pt.type_into(driver, "f-person-work_place", "青岛" if lang == "zh" else "Qingdao")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with LiveServer(create_app()) as server:
        for name, lang, width, height, phone in SHOTS:
            driver = make_driver(max(width, 500), height)
            try:
                driver.execute_cdp_cmd(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": width, "height": height, "deviceScaleFactor": 2 if phone else 1,
                     "mobile": phone},
                )
                pt.open_page(driver, server.url, lang)
                if lang == "zh":
                    pt.fill_recognition_case(driver, target="青岛", first_place="烟台",
                                             second_place="青岛市")
                else:
                    pt.fill_recognition_case(driver, target="Qingdao", first_place="Yantai",
                                             second_place="Qingdao")
                fill_person(driver, lang)
                pt.submit(driver)
                if not phone:
                    driver.execute_script("window.scrollTo(0, 0)")
                driver.execute_script("document.activeElement.blur()")
                time.sleep(0.3)
                path = out / f"{name}.png"
                driver.save_screenshot(str(path))
                print(path)
            finally:
                quit_driver(driver)


if __name__ == "__main__":
    main()
