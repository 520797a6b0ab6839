"""The Live camera page: the camera's video comes back with the points drawn, frame by frame.

The browser sends its camera over WebRTC (streamlit-webrtc); a
`finder.pipelines.live.LiveProcessor`, one
per browser session in `st.session_state`, draws on each frame in streamlit-webrtc's worker
thread. "Freeze" hands the last camera frame to the Photo page for a closer look.
"""

from __future__ import annotations

import hashlib
import time

import av
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from finder.body.catalog import load_catalog
from finder.body.view import VIEW_CHOICES
from finder.pipelines.live import LiveProcessor
from finder.ui import UPLOAD, Photo, estimator
from finder.ui.taps import chosen_profile

PROCESSOR = "_live_processor"  # this session's LiveProcessor
FOCUS = "live_focus"  # which points: all, or a routine's concern (a selectbox)
MIRRORED = "live_mirrored"  # show the preview as a mirror image (a toggle)
VIEW = "live_view"  # "auto" | "back" | "front" (a radio)
PERSISTENT_KEYS = (FOCUS, MIRRORED, VIEW)
_SAVED = "_live_saved_"  # prefix of the copies that outlive a page switch
_FREEZE_NOTE = "_live_freeze_note"  # (frame frozen?, message) after "Freeze"
ALL_POINTS = "All points"
STATUS_KEY = "live_status"  # the status container (CSS class st-key-live_status)
MEDIA_CONSTRAINTS = {"video": {"width": 640, "height": 480}, "audio": False}
PHONE_NOTE = (
    "On a phone or another computer: browsers give a web page the camera only over HTTPS "
    "(or at localhost, on the computer running the app). The README explains how to serve "
    "the app over HTTPS with Streamlit's `server.sslCertFile` and `server.sslKeyFile`."
)


def processor() -> LiveProcessor:
    """This browser session's live processor, made on first use (two tabs are two sessions,
    each with its own pose tracker while its camera runs); the look for another person uses
    the app's shared still-image model."""
    state = st.session_state
    if PROCESSOR not in state:
        state[PROCESSOR] = LiveProcessor(crowd_estimator=estimator())
    return state[PROCESSOR]


def render_live_page() -> None:
    catalog = load_catalog()
    _restore_widgets()
    # A routine at first: a handful of points reads better on a small moving picture.
    st.session_state.setdefault(FOCUS, catalog.routines[0].concern)
    # The video first: on a phone the columns stack, and START shows on the first screen.
    video, controls = st.columns([1.6, 1], gap="large")
    with controls:
        concerns = [routine.concern for routine in catalog.routines]
        focus = st.selectbox("Points to show", [ALL_POINTS, *concerns], key=FOCUS)
        view = st.radio(
            "Which side of the body faces the camera?",
            VIEW_CHOICES,
            key=VIEW,
            horizontal=True,
            format_func=lambda v: {"auto": "Find out (auto)"}.get(v, v.capitalize()),
        )
        mirrored = st.toggle(
            "Mirror the preview",
            key=MIRRORED,
            help="Shows the video as in a mirror. Left and right points keep the receiver's "
            "own sides.",
        )
        profile = chosen_profile()
        if profile:
            st.caption(
                f"Profile **{profile.name}** is active: its marks follow the receiver "
                "(choose profiles on the Photo page)."
            )
    _save_widgets()
    live = processor()
    live.configure(
        codes=None if focus == ALL_POINTS else catalog.routine(focus).points,
        mirrored=mirrored,
        view=view,
        profile=profile,
    )

    with video:
        st.markdown(
            "Press **START**, allow the camera, and film the receiver's back from about two "
            "metres, shoulders to knees in view."
        )
        ctx = webrtc_streamer(
            key="live",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration={"iceServers": []},
            media_stream_constraints=MEDIA_CONSTRAINTS,
            video_frame_callback=_frame_callback(live),
            on_video_ended=live.release,  # the tracking model goes when the stream does
        )
        playing = bool(ctx.state.playing or ctx.state.signalling)
        _status_panel(live, refresh_s=1.0 if playing else None)
        st.button(
            "Freeze",
            on_click=_freeze,
            args=(live,),
            help="Keep the current camera frame and open it on the Photo page.",
        )
        note = st.session_state.get(_FREEZE_NOTE)
        if note:
            frozen, message = note
            (st.success if frozen else st.warning)(message)
    with controls, st.expander("The camera does not start on a phone?"):
        st.caption(PHONE_NOTE)


def _frame_callback(live: LiveProcessor):
    """The per-frame function streamlit-webrtc calls in its worker thread (no st.* there)."""

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        bgr = frame.to_ndarray(format="bgr24")
        timestamp = frame.time if frame.time is not None else time.monotonic()
        annotated = live.process(bgr, timestamp, in_place=True)  # bgr is this frame's own
        return av.VideoFrame.from_ndarray(annotated, format="bgr24")

    return callback


def _status_panel(live: LiveProcessor, refresh_s: float | None) -> None:
    """Frames processed, points drawn and frames per second, refreshed while the video plays."""

    @st.fragment(run_every=refresh_s)
    def panel() -> None:
        status = live.status()
        with st.container(key=STATUS_KEY):
            st.caption(live.status_line())
            if status["frames"]:
                st.caption(status["message"][:1].upper() + status["message"][1:] + ".")

    panel()


def _freeze(live: LiveProcessor) -> None:
    """Button callback: the last camera frame (unmirrored, undrawn) becomes the Photo page's
    photo, as if uploaded."""
    frame = live.frozen_frame()
    state = st.session_state
    if frame is None:
        state[_FREEZE_NOTE] = (False, "No camera frame yet: press START first.")
        return
    frame.flags.writeable = False
    stamp = time.strftime("%H-%M-%S")
    digest = hashlib.sha1(frame.tobytes()).hexdigest()
    pose = live.frozen_pose()  # the Photo page shows the points the live view showed
    state[UPLOAD] = Photo(f"live-frame-{stamp}.png", f"live:{digest}", frame, pose=pose)
    state[_FREEZE_NOTE] = (
        True,
        f"Frame frozen at {stamp.replace('-', ':')}. Open the **Photo** page to see its points "
        "in detail and download them.",
    )


def _restore_widgets() -> None:
    """Streamlit forgets a widget's value while its page is hidden: put back the saved copy."""
    state = st.session_state
    for key in PERSISTENT_KEYS:
        if key not in state and _SAVED + key in state:
            state[key] = state[_SAVED + key]


def _save_widgets() -> None:
    state = st.session_state
    for key in PERSISTENT_KEYS:
        if key in state:
            state[_SAVED + key] = state[key]
