"""The Live camera page in a real browser: Chromium's fake camera plays a clip of a back, the
video comes back over WebRTC with the points drawn, and Freeze hands a frame to the Photo page.

Screenshots go to /tmp/screens/live.png (the page) and /tmp/screens/live-video.png (the
returned video frame) for a person to look at.
"""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

import pytest

from tests.browser import (
    SCREENS,
    TIMEOUT_MS,
    fake_camera_args,
    launch_chromium,
    playwright_or_skip,
    streamlit_server,
    wait_for_app,
    wait_for_frames,
)
from tests.photos import photo
from tests.video import make_test_video

pytestmark = pytest.mark.browser

STATUS = re.compile(r"Live: (\d+) frames processed, (\d+) points on the last frame, ([\d.]+) fps")
# Pixels of the overlay's Governor Vessel (violet) and Small Intestine (red) dots, colours the
# clip itself does not contain; the first routine (stress) has both meridians.
OVERLAY_PIXELS_JS = """video => {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    if (!canvas.width) return {width: 0, height: 0, overlay: 0, png: ''};
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let overlay = 0;
    for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if ((r > 150 && b > 150 && g < 110) || (r > 180 && g < 100 && b < 100)) overlay++;
    }
    return {width: canvas.width, height: canvas.height, overlay,
            png: canvas.toDataURL('image/png')};
}"""


@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory) -> Path:
    try:
        photo("13")
    except ValueError:
        pytest.skip("shared photo 13 is missing")
    return make_test_video(tmp_path_factory.mktemp("camera") / "back.y4m")


def read_status(page) -> tuple[int, int, float, str]:
    """(frames processed, points on the last frame, fps, whole text) from the status element."""
    texts = page.locator(".st-key-live_status").all_inner_texts()
    text = texts[0] if texts else ""
    match = STATUS.search(text)
    if not match:
        return 0, 0, 0.0, text
    return int(match[1]), int(match[2]), float(match[3]), text


def wait_until(condition, timeout_s: float, describe) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(describe())


def open_live_camera(page, url: str):
    """The app at `url` on its Live camera tab: the streamlit-webrtc frame and its START button."""
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("tab", name="Live camera").click()
    component = page.frame_locator('iframe[title*="streamlit_webrtc"]')
    return component, component.get_by_role("button", name=re.compile(r"^start$", re.IGNORECASE))


def test_live_camera_draws_points_on_the_returned_video(fake_camera):
    sync_api = playwright_or_skip()
    camera_args = fake_camera_args(fake_camera)
    with streamlit_server() as url, sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright, extra_args=camera_args)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        try:
            component, start = open_live_camera(page, url)
            start.click()

            wait_for_frames(lambda: read_status(page), lambda s: s[1] > 0, "frames with points")
            # The returned <video> shows the overlay's colours.
            video = component.locator("video")
            seen: dict = {}

            def overlay_drawn() -> bool:
                seen.update(video.evaluate(OVERLAY_PIXELS_JS))
                return seen["overlay"] >= 40

            wait_until(
                overlay_drawn,
                20.0,
                lambda: (
                    f"the returned video shows no overlay colours: {seen.get('overlay')} "
                    f"pixels in a {seen.get('width')}x{seen.get('height')} frame"
                ),
            )
            assert (seen["width"], seen["height"]) == (640, 480)
            png = seen["png"].split(",", 1)[1]
            (SCREENS / "live-video.png").write_bytes(base64.b64decode(png))
            frames, points, fps, text = read_status(page)
            assert frames > 1 and points > 0 and fps > 0, text
            page.screenshot(path=str(SCREENS / "live.png"), full_page=True)

            # Freeze: the frame becomes the Photo page's photo.
            page.get_by_role("button", name="Freeze").click()
            page.get_by_text("Frame frozen").wait_for()
            page.get_by_role("tab", name="Photo").click()
            page.get_by_text(re.compile(r"live-frame-[\d-]+\.png")).first.wait_for()
            wait_for_app(page)
            assert "BL-23" in page.locator('[data-testid="stTable"]').first.inner_text()
        except BaseException:
            page.screenshot(path=str(SCREENS / "live-failure.png"), full_page=True)
            raise
        finally:
            browser.close()


def test_on_a_phone_start_is_on_the_first_screen():
    """At 390x844 the page used to open on the point choices, the Freeze button and the HTTPS
    note, with the video and START a screen further down."""
    sync_api = playwright_or_skip()
    with streamlit_server() as url, sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.set_default_timeout(TIMEOUT_MS)
        try:
            _, start = open_live_camera(page, url)
            start.wait_for()
            wait_for_app(page)
            page.screenshot(path=str(SCREENS / "live-phone.png"))
            iframe = page.locator('iframe[title*="streamlit_webrtc"]').bounding_box()
            start_box = start.bounding_box()  # in the page's coordinates
            choices = page.get_by_text("Points to show").bounding_box()
            assert start_box["y"] + start_box["height"] <= 844, (start_box, iframe)
            assert start_box["y"] < choices["y"]
        finally:
            browser.close()
