"""Shared pieces for the browser tests: the app served on loopback, and Debian's Chromium.

    from playwright.sync_api import sync_playwright
    from tests.browser import launch_chromium, streamlit_server, wait_for_app

    with streamlit_server() as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright, extra_args=("--use-fake-ui-for-media-stream",))
        page = browser.new_page()
        page.goto(url)
        wait_for_app(page)

- `streamlit_server()` runs `streamlit run streamlit_app.py` on 127.0.0.1 and a free port with
  this interpreter, waits until /_stcore/health answers, yields the URL and stops the server.
- `launch_chromium(playwright, extra_args=())` starts /usr/bin/chromium headless (Playwright's
  own browser download is not used).
- `wait_for_app(page)` waits until the page has rendered and no script run is in progress.
- `playwright_or_skip()` gives Playwright's sync API, or skips the test when Playwright or
  Debian's Chromium is missing; screenshots go to SCREENS.
- `wait_for_frames(status, condition, what)` waits on the live stream's state (frames and
  points), with its own generous bound for the first frame, never on a fixed time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SCREENS = Path("/tmp/screens")  # screenshots the browser tests leave for a person to look at
TIMEOUT_MS = 60_000
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
STARTUP_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(
    app: str = "streamlit_app.py", extra_env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Serve `app` (relative to the repository) and yield its URL, e.g. http://127.0.0.1:8765.
    `extra_env` is added to the server's environment (a PYTHONPATH there goes after the
    repository's). The server's output goes to a temporary file, shown in the error if it fails
    to start."""
    port = free_port()
    extra_env = dict(extra_env or {})
    python_path = [str(REPO), extra_env.pop("PYTHONPATH", None), os.environ.get("PYTHONPATH")]
    env = {**os.environ, **extra_env, "PYTHONPATH": os.pathsep.join(filter(None, python_path))}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # The served checkout does not change during a test: no watcher polling the sources,
        # and no "source changed" state when files change under a running server.
        "--server.fileWatcherType",
        "none",
    ]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, server, log)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_healthy(url: str, server: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    log.seek(0)
    output = log.read().decode(errors="replace")[-3000:]
    raise RuntimeError(f"streamlit did not start at {url} (exit code {server.poll()}):\n{output}")


def fake_camera_args(video: Path | str) -> tuple[str, ...]:
    """Chromium flags that allow the camera without asking and feed it from a .y4m file."""
    return (
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )


def launch_chromium(playwright, extra_args: Sequence[str] = ()):
    """Headless Debian Chromium through Playwright; `extra_args` are added to the defaults."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


def wait_for_app(page, timeout_ms: float = 90_000) -> None:
    """Wait until the app has drawn its page and finished running its script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning';
        }""",
        timeout=timeout_ms,
    )


def tap_board(page):
    """The marking board's canvas in view. A board drawn before may linger in the page, hidden
    (on a tab not shown, or while a run ends): only a visible one takes clicks."""
    return page.locator(".tapboard canvas:visible").last


def pick_option(page, selectbox, name: str, attempts: int = 3) -> None:
    """Open `selectbox` (a locator of an stSelectbox) and click its option `name`. A script run
    that ends while the list is open redraws the box and closes the list, so it is opened again
    (at most `attempts` times) until the option shows."""
    option = page.get_by_role("option", name=name, exact=True)
    for attempt in range(attempts):
        wait_for_app(page)
        selectbox.click()
        try:
            option.wait_for(timeout=TIMEOUT_MS / attempts)
            break
        except Exception:  # playwright's TimeoutError; the module is imported lazily
            if attempt == attempts - 1:
                raise
    option.click()
    wait_for_app(page)


def playwright_or_skip():
    """Playwright's sync API module, with SCREENS made; skips the calling test when Playwright
    or Debian's Chromium is not installed."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    SCREENS.mkdir(parents=True, exist_ok=True)
    return sync_api


FIRST_FRAME_TIMEOUT_S = 300.0
"""From pressing START to the first processed frame: WebRTC set-up and the pose model's first
load, which take seconds on an idle machine and can take minutes on a busy one."""

STALL_TIMEOUT_S = 90.0
"""Longest wait for the next processed frame once frames are coming."""

MAX_FRAMES = 300
"""Frames a stream may take, once running, to reach the state waited for."""

Status = tuple[int, int, float, str]  # frames processed, points on the last frame, fps, text


def wait_for_frames(
    status: Callable[[], Status],
    condition: Callable[[Status], bool],
    what: str,
    after: int = 0,
    max_frames: int = MAX_FRAMES,
) -> Status:
    """Wait on the live stream's state, not on the clock: until more than `after` frames are
    processed and `condition` holds for the status. Fails only when no frame at all comes
    within FIRST_FRAME_TIMEOUT_S, when the frame count stands still for STALL_TIMEOUT_S, or
    when `max_frames` frames go by without the state; so a slow machine only waits longer."""
    started = time.monotonic()
    first_seen = last_frames = None
    last_change = started
    while True:
        current = status()
        frames = current[0]
        if frames > after and condition(current):
            return current
        now = time.monotonic()
        if frames != last_frames:
            last_frames, last_change = frames, now
        if frames and first_seen is None:
            first_seen = frames
        if first_seen is None and now - started > FIRST_FRAME_TIMEOUT_S:
            problem = f"no frame within {FIRST_FRAME_TIMEOUT_S:.0f} s"
        elif first_seen is not None and now - last_change > STALL_TIMEOUT_S:
            problem = f"no new frame for {STALL_TIMEOUT_S:.0f} s"
        elif first_seen is not None and frames - first_seen > max_frames:
            problem = f"not within {max_frames} frames"
        else:
            time.sleep(0.5)
            continue
        raise AssertionError(f"no {what}: {problem}; status: {current[3]!r}")
