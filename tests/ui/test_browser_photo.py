"""The app in a real browser: upload a photo on the Photo page, then run a guided session.

Screenshots of each view go to /tmp/screens/ for a person to look at.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser import (
    SCREENS,
    TIMEOUT_MS,
    launch_chromium,
    pick_option,
    playwright_or_skip,
    streamlit_server,
    wait_for_app,
)
from tests.photos import PHOTOS

pytestmark = pytest.mark.browser

PHOTO = PHOTOS / "13_standing_full-body_swimwear_pexels-5282577.jpg"


@pytest.fixture(scope="module")
def page():
    sync_api = playwright_or_skip()
    with streamlit_server() as url, sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1300, "height": 1800})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        wait_for_app(page)
        yield page
        browser.close()


BROKEN_IMAGE = (
    "the picture did not load (a broken image): Streamlit 1.60 serves pictures with an HTTP 500 "
    "under starlette>=1.8 (its gzip middleware), so starlette must stay below 1.8"
)


def image_loaded(page, index: int = 0) -> bool:
    """Whether the `index`-th st.image picture has arrived and decoded (not a broken link)."""
    image = page.locator('[data-testid="stImage"] img').nth(index)
    image.wait_for()
    return image.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)")


def screenshot(page, name: str) -> None:
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_upload_shows_the_annotated_photo_and_located_points(page):
    if not PHOTO.exists():
        pytest.skip(f"{PHOTO} is missing")
    assert image_loaded(page), BROKEN_IMAGE  # the sample, ready at once
    screenshot(page, "1-photo-sample")

    page.locator('input[type="file"]').set_input_files(str(PHOTO))
    caption = page.locator('[data-testid="stImage"]').filter(has_text=PHOTO.name)
    caption.wait_for()
    wait_for_app(page)
    assert image_loaded(page), BROKEN_IMAGE
    located = page.locator('[data-testid="stTable"]').first.inner_text()
    assert "BL-23" in located and "± " in located  # a routine at first, each point within N cm
    screenshot(page, "2-photo-uploaded")


def test_guided_lower_back_session(page):
    page.get_by_role("tab", name="Guided session").click()
    page.get_by_text("Before you start").wait_for()
    pick_option(page, page.get_by_test_id("stSelectbox").filter(has_text="help with"), "Lower back")
    page.get_by_text("Lower back: ").wait_for()
    wait_for_app(page)
    screenshot(page, "3-guided-setup")

    page.get_by_role("button", name="Start session").click()
    heading = page.get_by_role("heading", name=re.compile("^BL-23 Shenshu"))
    heading.wait_for()
    page.get_by_text("Receiver's left side", exact=True).wait_for()
    assert image_loaded(page), BROKEN_IMAGE  # BL-23 drawn large on the uploaded photo
    timer = page.locator(".st-key-guided_timer")
    first = timer.inner_text()
    time.sleep(2.2)
    second = timer.inner_text()
    assert first != second, first
    screenshot(page, "4-guided-step")

    page.get_by_role("button", name="Next").click()
    page.get_by_text("Receiver's right side", exact=True).wait_for()
    assert heading.is_visible()  # BL-23 again, on the other side
    screenshot(page, "5-guided-next")


def test_library_search(page):
    page.get_by_role("tab", name="Point library").click()
    search = page.get_by_label("Search by code or name")
    search.fill("UB23")
    search.press("Enter")
    page.get_by_text("1 of 24 points").wait_for()
    wait_for_app(page)
    assert page.get_by_test_id("stExpander").filter(has_text="BL-23").is_visible()
    screenshot(page, "6-library")
