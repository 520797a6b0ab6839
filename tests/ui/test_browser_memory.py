"""Memory per visitor: 30 browser sessions opened and closed one after another against the
served app. The models are shared by all sessions and a session's state goes when it ends, so
the server's resident memory after the last session closes stays within MEMORY_GROWTH_MB of its
memory after the first one. The figures after 1, 10 and 30 sessions are printed (run with -s).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser import (
    TIMEOUT_MS,
    launch_chromium,
    playwright_or_skip,
    streamlit_server,
    wait_for_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = 30
REPORTED = (1, 10, 30)
MEMORY_GROWTH_MB = 300.0
SETTLE_S = 3.0  # after a session closes, before memory is read


def server_pid(port: int) -> int:
    """The streamlit server this test process started on `port` (a child of this process)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = next(line for line in status.splitlines() if line.startswith("PPid:"))
        ours = int(parent.split()[1]) == os.getpid()
        if ours and b"streamlit" in command and str(port).encode() in command:
            return int(entry.name)
    raise LookupError(f"no streamlit server of this test on port {port}")


def resident_mb(pid: int) -> float:
    """Resident set size of process `pid` in MB (VmRSS)."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_memory_after_thirty_sessions_stays_near_memory_after_one():
    sync_api = playwright_or_skip()
    figures: dict[int, float] = {}
    with streamlit_server() as url, sync_api.sync_playwright() as playwright:
        pid = server_pid(urlparse(url).port)
        browser = launch_chromium(playwright)
        try:
            for session in range(1, SESSIONS + 1):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                page.goto(url)
                wait_for_app(page)
                # The Photo page has found the body on the default sample and drawn its points.
                page.locator('[data-testid="stImage"] img').first.wait_for()
                page.locator('[data-testid="stTable"]').first.wait_for()
                context.close()
                time.sleep(SETTLE_S)
                if session in REPORTED:
                    figures[session] = resident_mb(pid)
        finally:
            browser.close()
    print(
        "Server resident memory after sessions opened and closed: "
        + ", ".join(f"{n}: {mb:.0f} MB" for n, mb in figures.items())
    )
    assert figures[SESSIONS] - figures[1] <= MEMORY_GROWTH_MB, figures
