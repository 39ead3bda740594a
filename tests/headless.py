"""Headless Chromium for the page tests: Selenium driving the system's chromedriver.

Selenium is given the driver's path, so it never looks for (or downloads) a driver itself. When
Chromium or its driver is missing the tests are skipped with the command that installs them,
except under CI (``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
INSTALL = "make browser  (apt-get install --no-install-recommends chromium chromium-driver)"
#: Upper bound of every wait: it only turns a hang into a failure; the tests decide by state.
PATIENCE_S = 180.0


def _missing(what: str) -> None:
    message = f"{what} not installed: {INSTALL}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def browser_paths() -> tuple[str, str]:
    """``(chromium, chromedriver)``; skips (fails under CI) when either is missing."""
    browser = next((p for p in map(shutil.which, BROWSERS) if p), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        _missing("chromium and chromedriver")
    return browser, driver


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 1600) -> Iterator:
    """A headless Chromium WebDriver, quit on exit."""
    browser, driver_path = browser_paths()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ModuleNotFoundError:
        _missing("selenium (a dev dependency: make install)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, script: str, what: str, *args, timeout: float = PATIENCE_S):
    """Poll the JavaScript ``script`` (a ``return ...`` body) until it returns a truthy value.

    Returns that value; fails with ``what`` and the last value seen when ``timeout`` passes.
    """
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    seen: list = [None]

    def probe(d):
        seen[0] = d.execute_script(script, *args)
        return seen[0]

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25).until(probe)
    except TimeoutException:
        pytest.fail(f"waited {timeout:.0f} s for {what}; last state: {seen[0]!r}")


#: ``inView(element)``: whether the top of ``element`` lies in the visible part of the area that
#: scrolls it (its nearest scrolling ancestor, within the window; the window when there is none).
IN_VIEW_FUNCTION = """
function inView(element) {
    if (!element || !element.isConnected) return false;
    const root = [document.body, document.documentElement];
    let area = element.parentElement;
    while (area && !root.includes(area) && !(area.scrollHeight > area.clientHeight
           && /auto|scroll/.test(getComputedStyle(area).overflowY))) {
        area = area.parentElement;
    }
    const box = area && !root.includes(area)
        ? area.getBoundingClientRect() : {top: 0, bottom: window.innerHeight};
    const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);
    const y = element.getBoundingClientRect().top;
    return y >= top - 2 && y < bottom;
}
"""
IN_VIEW = IN_VIEW_FUNCTION + "return inView(arguments[0]);"


def follow_link(driver, candidates, what: str) -> tuple:
    """Click the first link whose target is out of view next to it; wait for the target in view.

    ``candidates`` yields ``(link, target)`` WebElements. Each link is scrolled to the middle of
    its area until one is found whose target is not in view then (:data:`IN_VIEW`); that link is
    clicked and the target must come into view. Returns the ``(link, target)`` followed; fails
    when every target is in view already (nothing would be tested).
    """
    for link, target in candidates:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
        if not driver.execute_script(IN_VIEW, target):
            break
    else:
        pytest.fail(f"every {what} target is in view beside its link: the test shows nothing")
    link.click()
    wait_for(driver, IN_VIEW, f"the {what} target to scroll into view", target)
    return link, target
