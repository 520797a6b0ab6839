"""The Hand page in a real browser: a palm photo uploaded is refused with its reason; then the
camera (Chromium's fake camera showing shared photo 07, the backs of two hands) takes a photo and
LI-4 and TE-3 are placed on both hands.

Screenshots go to /tmp/screens/hand-*.png for a person to look at.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from finder.adapters.imageio import read_image
from tests.browser import (
    SCREENS,
    TIMEOUT_MS,
    fake_camera_args,
    launch_chromium,
    playwright_or_skip,
    streamlit_server,
    wait_for_app,
)
from tests.photos import photo
from tests.video import FRAME_SIZE, write_y4m

pytestmark = pytest.mark.browser


def letterboxed(bgr: np.ndarray, size: tuple[int, int] = FRAME_SIZE) -> np.ndarray:
    """`bgr` scaled to fit `size` = (width, height) px, on black, even-sized for 4:2:0."""
    width, height = size
    scale = min(width / bgr.shape[1], height / bgr.shape[0])
    small = cv2.resize(
        bgr,
        (int(bgr.shape[1] * scale) // 2 * 2, int(bgr.shape[0] * scale) // 2 * 2),
        interpolation=cv2.INTER_AREA,
    )
    frame = np.zeros((height, width, 3), np.uint8)
    y0, x0 = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    frame[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return frame


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    sync_api = playwright_or_skip()
    frame = letterboxed(read_image(photo("07")))
    camera = write_y4m(tmp_path_factory.mktemp("camera") / "hands.y4m", [frame] * 10)
    camera_args = fake_camera_args(camera)
    with streamlit_server() as url, sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright, extra_args=camera_args)
        page = browser.new_page(viewport={"width": 1300, "height": 1800})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        wait_for_app(page)
        page.get_by_role("tab", name="Hand").click()
        page.get_by_text("Show me the back of your hand").wait_for()
        wait_for_app(page)
        yield page
        browser.close()


def test_an_uploaded_palm_is_refused_with_its_reason(page):
    page.locator('input[type="file"]').set_input_files(str(photo("06")))
    page.get_by_text("This is the palm of the right hand: turn the hand over").wait_for()
    wait_for_app(page)
    page.screenshot(path=str(SCREENS / "hand-palm.png"), full_page=True)


def test_a_photo_from_the_camera_gets_both_points_on_both_hands(page):
    page.get_by_text("Use this device's camera").click()
    wait_for_app(page)
    video = page.locator('[data-testid="stCameraInput"] video')
    video.wait_for()
    page.wait_for_function("video => video.readyState >= 2", arg=video.element_handle())
    page.get_by_role("button", name="Take Photo").click()
    page.get_by_text("right hand: its back faces the camera", exact=False).wait_for()
    wait_for_app(page)
    located = page.locator('[data-testid="stTable"]').first.inner_text()
    assert "LI-4" in located and "TE-3" in located
    assert "left, right" in located
    page.screenshot(path=str(SCREENS / "hand-camera.png"), full_page=True)
