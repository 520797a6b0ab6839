"""Long-lived use of the Live camera page in a real browser: the camera stopped and started
again, the tab reloaded, and two browser sessions side by side with different choices.

Chromium's fake camera plays the pan-and-zoom clip of the full-body back photo (tests/video.py).
Screenshots go to /tmp/screens/sessions-*.png.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser import (
    SCREENS,
    TIMEOUT_MS,
    fake_camera_args,
    launch_chromium,
    pick_option,
    playwright_or_skip,
    streamlit_server,
    wait_for_app,
    wait_for_frames,
)
from tests.photos import PHOTOS
from tests.ui.test_browser_live import read_status
from tests.video import make_test_video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not list(PHOTOS.glob("13_*.jpg")), reason="shared photo 13 is missing"),
]

ROUTINE = "Lower back"  # 7 back point codes: at most 14 points on the clip


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = playwright_or_skip()
    camera = make_test_video(tmp_path_factory.mktemp("camera") / "back.y4m")
    camera_args = fake_camera_args(camera)
    with streamlit_server() as url, sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright, extra_args=camera_args)
        chromium.app_url = url
        yield chromium
        chromium.close()


def open_live_page(browser):
    """A new browser session (its own context: cookies, storage, connection) on the Live page."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(browser.app_url)
    wait_for_app(page)
    show_live_tab(page)
    return page


def show_live_tab(page) -> None:
    page.get_by_role("tab", name="Live camera").click()
    live_panel(page).get_by_text("Points to show").wait_for()
    wait_for_app(page)


def live_panel(page):
    return page.get_by_role("tabpanel", name="Live camera")


def webrtc_button(page, name: str):
    component = page.frame_locator('iframe[title*="streamlit_webrtc"]')
    return component.get_by_role("button", name=re.compile(rf"^{name}$", re.IGNORECASE))


def start_camera(page) -> None:
    """Press START and wait until the component shows STOP (the stream is being set up). A
    press that the component missed while it was being drawn is repeated once."""
    for attempt in range(2):
        webrtc_button(page, "start").click()
        try:
            webrtc_button(page, "stop").wait_for(timeout=TIMEOUT_MS)
            return
        except Exception:
            if attempt:
                raise


def choose(page, focus: str | None = None, view: str | None = None) -> None:
    """Pick the points to show (a routine's concern or "All points") and the view."""
    if focus is not None:
        box = live_panel(page).get_by_test_id("stSelectbox").filter(has_text="Points to show")
        pick_option(page, box, focus)
    if view is not None:
        radio = live_panel(page).get_by_test_id("stRadio").filter(has_text="faces the camera")
        radio.get_by_text(view, exact=True).click()
        wait_for_app(page)


def frames_after(page, count: int, condition=lambda status: True, what: str = "frames"):
    """Wait until more than `count` frames are processed and the status meets `condition`
    (tests.browser.wait_for_frames); returns (frames, points, fps, text)."""
    return wait_for_frames(lambda: read_status(page), condition, what, after=count)


def screenshot(page, name: str) -> None:
    page.screenshot(path=str(SCREENS / f"sessions-{name}.png"), full_page=True)


def test_camera_stop_start_and_page_reload_recover(browser):
    page = open_live_page(browser)
    try:
        start_camera(page)
        frames, _, _, _ = frames_after(page, 5, lambda s: s[1] > 0, "frames with points")

        webrtc_button(page, "stop").click()
        webrtc_button(page, "start").wait_for()
        wait_for_app(page)
        stopped = read_status(page)[0]
        assert stopped >= frames

        start_camera(page)  # the same session's tracker picks up again
        moving = frames_after(page, stopped + 10, lambda s: s[1] > 0 and s[2] > 0, "fps again")
        assert moving[0] > stopped, moving[3]
        screenshot(page, "restarted")

        page.reload()  # a new browser session, with its own processor counting from zero
        wait_for_app(page)
        show_live_tab(page)
        assert read_status(page)[3].startswith("Live: 0 frames processed"), read_status(page)[3]
        start_camera(page)
        frames_after(page, 5, lambda s: s[1] > 0, "frames after a reload")
        screenshot(page, "reloaded")
        webrtc_button(page, "stop").click()
    except BaseException:
        screenshot(page, "recover-failure")
        raise
    finally:
        page.context.close()


def assert_for_a_while(page, condition, seconds: float = 3.0) -> None:
    """`condition` holds for the status at every half second over `seconds` (single frames may
    be rejected, so only what no frame may show is checked this way)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = read_status(page)
        assert condition(status), status[3]
        time.sleep(0.5)


def from_the_front(status) -> bool:
    """The last frame was taken as a front view (points placed or not)."""
    return "front view" in status[3].lower()


def placed_from_behind(status) -> bool:
    """The last frame's points were placed on a back view."""
    return "points placed" in status[3] and not from_the_front(status)


def routine_only(status) -> bool:
    """No more points than the routine has (7 codes), none from the front."""
    return status[1] <= 14 and not from_the_front(status)


def never_from_behind(status) -> bool:
    return not placed_from_behind(status)


def test_two_sessions_at_once_keep_their_own_choices(browser):
    routine_back = open_live_page(browser)
    everything_front = open_live_page(browser)
    pages = (routine_back, everything_front)
    try:
        choose(routine_back, focus=ROUTINE, view="Back")
        choose(everything_front, focus="All points", view="Front")
        for page in pages:
            start_camera(page)
        # Both stream at once: one draws the routine's back points, the other (told the
        # person faces the camera) takes every frame as a front view. A single frame may be
        # rejected, so what must hold all along is what no frame of the other choice shows.
        frames_after(routine_back, 10, lambda s: 0 < s[1] <= 14, "routine points")
        frames_after(everything_front, 10, from_the_front, "a front view")
        assert_for_a_while(routine_back, routine_only)
        assert_for_a_while(everything_front, never_from_behind)
        screenshot(routine_back, "routine-back")
        screenshot(everything_front, "all-front")

        # Change the choices on one side only: the other session keeps its own.
        choose(everything_front, view="Back")
        frames_after(everything_front, 0, lambda s: s[1] > 14, "all points from behind")
        assert_for_a_while(routine_back, routine_only)
        choose(routine_back, view="Front")
        frames_after(routine_back, 0, from_the_front, "a front view on the routine side")
        assert_for_a_while(routine_back, never_from_behind)
        assert_for_a_while(everything_front, lambda s: not from_the_front(s))
        frames_after(everything_front, 0, lambda s: s[1] > 14, "all points still")
        for page in pages:
            webrtc_button(page, "stop").click()
    except BaseException:
        for index, page in enumerate(pages):
            screenshot(page, f"isolation-failure-{index}")
        raise
    finally:
        for page in pages:
            page.context.close()
