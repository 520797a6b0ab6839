"""Privacy: no network use but the browser's own connection to the local server, and no photo or
camera frame written to disk.

Python's audit hooks (PEP 578) see every socket connection, datagram, name lookup and file
opened for writing by Python code and its libraries. A `sitecustomize` module on the
PYTHONPATH of a child process installs one that writes each event to a log and refuses
(OSError) any connection, datagram or name lookup not aimed at loopback; the child runs with a
fresh HOME and TMPDIR. The pipeline (`locate_image` on a real photo, loading the BlazePose model)
and the Streamlit app (served on 127.0.0.1, driven by Chromium: a photo uploaded and its points
shown, then the live camera streaming a clip with points drawn) must work under it, and the log
must show:

- network: only loopback addresses; the WebRTC media may also go to this machine's own
  interface addresses (the browser offers them as its ICE candidates; no STUN or TURN server);
- files: writes only where listed in ALLOWED_WRITES, each with its reason, none of them a
  picture, and nothing left in the temporary folder; no new picture in HOME, the temporary
  folder, the working folder or the repository.

Writes by native code (OpenCV, MediaPipe's C++) do not pass the audit hook; the folder scans
after each run are what covers them, for the folders a process writes to by default.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.browser import REPO, launch_chromium, playwright_or_skip, streamlit_server, wait_for_app
from tests.photos import photo

HOOK = r'''
"""Installed by tests/test_privacy.py: log (and refuse) network use, log file writes."""
import ipaddress
import json
import os
import sys

_LOG = os.environ["FINDER_AUDIT_LOG"]
_OWN = set(os.environ.get("FINDER_AUDIT_OWN_ADDRESSES", "").split())
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_fd = os.open(_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def _local(host):
    host = os.fsdecode(host).split("%")[0]
    try:
        return ipaddress.ip_address(host).is_loopback or host in _OWN
    except ValueError:
        return host == "localhost"


def _record(event, detail):
    os.write(_fd, (json.dumps([event, detail], default=repr) + "\n").encode())


def _hook(event, args):
    if event in ("socket.connect", "socket.sendto"):
        address = args[1]
        if isinstance(address, tuple):
            _record(event, [str(address[0]), address[1]])
            if not _local(address[0]):
                raise OSError(f"network refused by the privacy test: {address}")
        else:
            _record(event, [os.fsdecode(address), None])  # a Unix socket: local by nature
    elif event == "socket.getaddrinfo":
        _record(event, [None if args[0] is None else os.fsdecode(args[0]), args[1]])
        if args[0] is not None and not _local(args[0]):
            raise OSError(f"name lookup refused by the privacy test: {args[0]}")
    elif event == "open":
        path, mode, flags = args
        if isinstance(path, int):
            return
        if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & _WRITING
        ):
            _record("write", [os.fsdecode(path), None])


sys.addaudithook(_hook)
'''

PICTURE_SIGNATURES = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"YUV4MPEG2",
)
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".y4m")


class Sandbox:
    """Fresh HOME, TMPDIR and working folder for a child process, and its audit log."""

    def __init__(self, root: Path, own_addresses: tuple[str, ...] = ()):
        self.root = root
        root.mkdir(exist_ok=True)
        self.own_addresses = set(own_addresses)
        self.home, self.tmp, self.work, hook = (root / n for n in ("home", "tmp", "work", "hook"))
        for folder in (self.home, self.tmp, self.work, hook):
            folder.mkdir()
        (hook / "sitecustomize.py").write_text(HOOK)
        self.log = root / "audit.log"
        self.started = time.time()
        self.env = {
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "PYTHONPATH": str(hook),
            "PYTHONDONTWRITEBYTECODE": "1",  # the interpreter's own caches are not the app's
            "FINDER_AUDIT_LOG": str(self.log),
            "FINDER_AUDIT_OWN_ADDRESSES": " ".join(sorted(self.own_addresses)),
        }

    def events(self) -> list[tuple[str, str, object]]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [(event, *detail) for event, detail in map(json.loads, lines)]

    def writes(self) -> list[str]:
        return sorted({path for event, path, _ in self.events() if event == "write"})


def own_addresses() -> list[str]:
    """This machine's interface addresses (what the browser offers as WebRTC host candidates)."""
    import ifaddr  # aioice's own dependency, so there with streamlit-webrtc

    addresses = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            addresses.append(ip.ip if isinstance(ip.ip, str) else ip.ip[0])
    return addresses


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host == "localhost"


ALLOWED_WRITES = {
    "null device": lambda path, box: path == os.devnull,
}


def why_allowed(path: str, box: Sandbox) -> str | None:
    for reason, allows in ALLOWED_WRITES.items():
        if allows(path, box):
            return reason
    return None


def is_picture(path: Path) -> bool:
    if path.suffix.lower() in PICTURE_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return head.startswith(PICTURE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def new_pictures(box: Sandbox) -> list[Path]:
    """Pictures created or changed since the sandbox was made, in its folders and the repository
    (its .git excluded)."""
    found = []
    for folder in (box.home, box.tmp, box.work, REPO):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            for name in filenames:
                path = Path(dirpath, name)
                try:
                    changed = path.stat().st_mtime >= box.started - 1
                except OSError:
                    continue
                if changed and is_picture(path):
                    found.append(path)
    return found


def beyond_loopback(box: Sandbox) -> list[tuple[str, str, object]]:
    """Connections, datagrams and name lookups aimed beyond loopback; datagrams to this
    machine's own addresses (WebRTC media) excepted."""
    events = box.events()
    assert events, "the audit hook recorded nothing: it was not installed"
    return [
        (event, host, port)
        for event, host, port in events
        if (event in ("socket.connect", "socket.sendto") and port is not None)
        or (event == "socket.getaddrinfo" and host is not None)
        if not is_loopback(host) and not (event == "socket.sendto" and host in box.own_addresses)
    ]


def report(box: Sandbox) -> str:
    """What the hook saw, counted (shown with pytest -s)."""
    counts = Counter(
        (event, host if event != "write" else str(Path(host).parent))
        for event, host, _ in box.events()
    )
    return "\n".join(f"{n:6d}  {event} {where}" for (event, where), n in sorted(counts.items()))


def assert_no_picture_written(box: Sandbox) -> None:
    unexplained = [path for path in box.writes() if why_allowed(path, box) is None]
    assert not unexplained, f"files written outside the allowed places: {unexplained}"
    assert not [p for p in box.writes() if Path(p).is_file() and is_picture(Path(p))]
    assert not list(box.tmp.iterdir()), "files left in the temporary folder"
    assert not new_pictures(box), new_pictures(box)


def run_python(box: Sandbox, code: str, prefix: tuple[str, ...] = ()):
    env = {**os.environ, **box.env, "PYTHONPATH": f"{box.env['PYTHONPATH']}{os.pathsep}{REPO}"}
    return subprocess.run(
        [*prefix, sys.executable, "-c", code],
        cwd=box.work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


PIPELINE = """
import socket
from finder.pipelines.photo import locate_image
try:
    with socket.socket() as probe:  # to TEST-NET-1 (RFC 5737), never routed: must be refused
        probe.settimeout(1)
        probe.connect(("192.0.2.1", 80))
except OSError as error:
    print("refused:", error)
result = locate_image({photo!r})
print("points:", len(result.points))
"""


@pytest.mark.model
def test_pipeline_runs_offline_and_writes_no_picture(tmp_path):
    box = Sandbox(tmp_path)
    run = run_python(box, PIPELINE.format(photo=str(photo("13"))))
    assert run.returncode == 0, run.stderr[-3000:]
    # The hook is live (an outbound connection is refused) and the model still loads and runs.
    assert "refused: network refused by the privacy test" in run.stdout, run.stdout
    assert int(re.search(r"points: (\d+)", run.stdout)[1]) > 0
    assert beyond_loopback(box) == [("socket.connect", "192.0.2.1", 80)]  # the probe alone
    assert_no_picture_written(box)


@pytest.mark.model
def test_pipeline_runs_without_any_network_interface(tmp_path):
    """Below Python too: in a network namespace of its own (no interface but a downed
    loopback), where native code could not reach anything either."""
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot make a network namespace here (needs root or user namespaces)")
    box = Sandbox(tmp_path)
    run = run_python(box, PIPELINE.format(photo=str(photo("13"))), prefix=("unshare", "--net"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert int(re.search(r"points: (\d+)", run.stdout)[1]) > 0
    assert beyond_loopback(box) == [("socket.connect", "192.0.2.1", 80)]


@pytest.mark.browser
def test_app_talks_only_to_this_machine_and_writes_no_picture(tmp_path):
    sync_api = playwright_or_skip()
    from tests.browser import wait_for_frames
    from tests.ui.test_browser_live import read_status
    from tests.video import make_test_video

    camera = make_test_video(tmp_path / "camera.y4m", seconds=3)
    box = Sandbox(tmp_path / "sandbox", tuple(own_addresses()))
    camera_args = (
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
    )
    with streamlit_server(extra_env=box.env) as url, sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright, extra_args=camera_args)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(url)
            wait_for_app(page)
            page.locator('input[type="file"]').set_input_files(str(photo("13")))
            page.locator('[data-testid="stImage"]').filter(has_text=photo("13").name).wait_for()
            wait_for_app(page)
            assert "BL-23" in page.locator('[data-testid="stTable"]').first.inner_text()

            page.get_by_role("tab", name="Live camera").click()
            component = page.frame_locator('iframe[title*="streamlit_webrtc"]')
            start = component.get_by_role("button", name=re.compile(r"^start$", re.IGNORECASE))
            start.click()
            wait_for_frames(
                lambda: read_status(page), lambda s: s[1] > 0, "frames with points", after=5
            )
            component.get_by_role("button", name=re.compile(r"^stop$", re.IGNORECASE)).click()
            start.wait_for()
        finally:
            browser.close()
    print("\n" + report(box))
    assert not beyond_loopback(box), beyond_loopback(box)
    assert_no_picture_written(box)
