"""Tests for finder.adapters.imageio. Every input is generated here; no stored files."""

from __future__ import annotations

import errno
import io
import os
import re
import struct
import threading
import warnings
import zlib
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from finder.adapters import imageio
from finder.adapters.imageio import ImageError, decode_image, downscale_for_inference, read_image

W, H = 64, 48  # test images are wider than tall, so a swap of width and height shows

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)  # RGB, as Pillow takes colours


def bgr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    return rgb[2], rgb[1], rgb[0]


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def halves(left: tuple[int, ...], right: tuple[int, ...], mode: str = "RGB") -> Image.Image:
    """W x H image, `left` colour in the left half and `right` in the right half."""
    img = Image.new(mode, (W, H), left)
    img.paste(right, (W // 2, 0, W, H))
    return img


def cv2_encode(ext: str, array: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(ext, array)
    assert ok
    return encoded.tobytes()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A few-hundred-byte 1-bit PNG whose header claims width x height (the data is short)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def float_rgb_tiff(rgb: np.ndarray, orientation: int = 1) -> bytes:
    """Uncompressed little-endian TIFF with 32-bit float RGB samples (Pillow cannot open it)."""
    height, width = rgb.shape[:2]
    pixels = np.ascontiguousarray(rgb, dtype="<f4").tobytes()
    n_tags = 12
    bits_at = 8 + 2 + 12 * n_tags + 4  # after the header and the IFD
    format_at = bits_at + 6
    pixels_at = format_at + 6
    short, long = 3, 4  # TIFF field types
    tags = [
        (256, long, 1, width),
        (257, long, 1, height),
        (258, short, 3, bits_at),  # BitsPerSample: 32, 32, 32
        (259, short, 1, 1),  # no compression
        (262, short, 1, 2),  # RGB
        (273, long, 1, pixels_at),  # StripOffsets
        (274, short, 1, orientation),
        (277, short, 1, 3),  # SamplesPerPixel
        (278, long, 1, height),  # RowsPerStrip
        (279, long, 1, len(pixels)),  # StripByteCounts
        (284, short, 1, 1),  # chunky
        (339, short, 3, format_at),  # SampleFormat: IEEE float x 3
    ]
    assert len(tags) == n_tags
    out = b"II*\x00" + struct.pack("<IH", 8, n_tags)
    for tag, kind, count, value in tags:
        inline_short = kind == short and count == 1
        out += struct.pack("<HHI", tag, kind, count)
        out += struct.pack("<HH", value, 0) if inline_short else struct.pack("<I", value)
    out += struct.pack("<I", 0) + struct.pack("<3H", 32, 32, 32) + struct.pack("<3H", 3, 3, 3)
    return out + pixels


def animated(fmt: str, colours: list[tuple[int, int, int]], **params) -> bytes:
    frames = [Image.new("RGB", (W, H), c) for c in colours]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, **params)


def rgba_png() -> bytes:
    """Left quarter fully transparent black, next quarter half-transparent red, rest opaque blue."""
    img = Image.new("RGBA", (W, H), (*BLUE, 255))
    img.paste((0, 0, 0, 0), (0, 0, W // 4, H))
    img.paste((*RED, 128), (W // 4, 0, W // 2, H))
    return encode(img, "PNG")


def palette_png_with_transparency() -> bytes:
    img = Image.new("P", (W, H), 0)
    img.putpalette([0, 0, 0, *GREEN])
    img.paste(1, (W // 2, 0, W, H))
    return encode(img, "PNG", transparency=0)


def grey16_array(values: tuple[int, int, int]) -> np.ndarray:
    """H x W uint16 array in three vertical bands of the given values."""
    array = np.empty((H, W), np.uint16)
    for i, value in enumerate(values):
        array[:, i * W // 3 : (i + 1) * W // 3] = value
    return array


def grey16(values: tuple[int, int, int], ext: str) -> bytes:
    return cv2_encode(ext, grey16_array(values))


def tiff16_rgb() -> bytes:
    array = np.empty((H, W, 3), np.uint16)
    array[:] = (0x1234, 0x80FF, 0xFF00)  # B, G, R as cv2 takes them
    return cv2_encode(".tiff", array)


Probe = tuple[int, int, tuple[int, int, int]]  # row, column, expected BGR

LEFT, MID, RIGHT = (H // 2, 4), (H // 2, W // 2 - 1), (H // 2, W - 4)
Q2 = (H // 2, 3 * W // 8)  # second quarter

GOOD: dict[str, tuple[Callable[[], bytes], list[Probe], int]] = {
    # name: (make the bytes, probes (row, col, BGR), tolerance)
    "jpeg rgb": (
        lambda: encode(halves(RED, BLUE), "JPEG", quality=95),
        [(*LEFT, bgr(RED)), (*RIGHT, bgr(BLUE))],
        8,
    ),
    "png grey L": (lambda: encode(halves((200,), (30,), "L"), "PNG"), [(*LEFT, (200,) * 3)], 0),
    "png grey 16-bit, values 1000..3000": (
        lambda: grey16((1000, 2000, 3000), ".png"),
        [(*LEFT, (0,) * 3), (H // 2, W // 2, (128,) * 3), (*RIGHT, (255,) * 3)],
        1,
    ),
    "tiff grey 16-bit": (
        lambda: grey16((40000, 50000, 60000), ".tiff"),
        [(*LEFT, (0,) * 3), (H // 2, W // 2, (128,) * 3), (*RIGHT, (255,) * 3)],
        1,
    ),
    "tiff grey 16-bit big-endian (I;16B)": (
        lambda: encode(Image.fromarray(grey16_array((1000, 2000, 3000)).astype(">u2")), "TIFF"),
        [(*LEFT, (0,) * 3), (H // 2, W // 2, (128,) * 3), (*RIGHT, (255,) * 3)],
        1,
    ),
    "png grey 16-bit uniform": (
        lambda: cv2_encode(".png", np.full((H, W), 5000, np.uint16)),
        [(*MID, (0,) * 3)],  # no value range to stretch: black
        0,
    ),
    "tiff grey 32-bit int (I)": (
        lambda: encode(halves((-70000,), (70000,), "I"), "TIFF"),
        [(*LEFT, (0,) * 3), (*RIGHT, (255,) * 3)],
        0,
    ),
    "tiff grey float (F)": (
        lambda: encode(halves((0.25,), (0.75,), "F"), "TIFF"),
        [(*LEFT, (0,) * 3), (*RIGHT, (255,) * 3)],
        0,
    ),
    "png rgba: transparent -> white": (
        rgba_png,
        [(*LEFT, (255, 255, 255)), (*Q2, (127, 127, 255)), (*RIGHT, bgr(BLUE))],
        1,
    ),
    "png grey+alpha (LA)": (
        lambda: encode(halves((0, 0), (50, 255), "LA"), "PNG"),
        [(*LEFT, (255,) * 3), (*RIGHT, (50,) * 3)],
        0,
    ),
    "png palette with transparency": (
        palette_png_with_transparency,
        [(*LEFT, (255, 255, 255)), (*RIGHT, bgr(GREEN))],
        0,
    ),
    "png 1-bit": (
        lambda: encode(halves((1,), (0,), "1"), "PNG"),
        [(*LEFT, (255,) * 3), (*RIGHT, (0,) * 3)],
        0,
    ),
    "png 16-bit rgb": (
        lambda: cv2_encode(".png", np.full((H, W, 3), (0x1234, 0x80FF, 0xFF00), np.uint16)),
        [(*MID, (0x12, 0x80, 0xFF))],
        0,
    ),
    "jpeg cmyk": (
        lambda: encode(halves((0, 255, 255, 0), (255, 255, 0, 0), "CMYK"), "JPEG", quality=95),
        [(*LEFT, bgr(RED)), (*RIGHT, bgr(BLUE))],
        8,
    ),
    "tiff cmyk": (
        lambda: encode(halves((0, 255, 255, 0), (0, 0, 0, 255), "CMYK"), "TIFF"),
        [(*LEFT, bgr(RED)), (*RIGHT, (0, 0, 0))],
        0,
    ),
    "tiff lab": (
        lambda: encode(Image.new("LAB", (W, H), (255, 128, 128)), "TIFF"),
        [(*MID, (255, 255, 255))],
        2,
    ),
    "gif animated: first frame": (lambda: animated("GIF", [RED, BLUE]), [(*MID, bgr(RED))], 0),
    "png animated (APNG): first frame": (
        lambda: animated("PNG", [GREEN, BLUE]),
        [(*MID, bgr(GREEN))],
        0,
    ),
    "webp animated: first frame": (
        lambda: animated("WEBP", [BLUE, RED], lossless=True),
        [(*MID, bgr(BLUE))],
        0,
    ),
    "webp lossless": (
        lambda: encode(halves(RED, GREEN), "WEBP", lossless=True),
        [(*LEFT, bgr(RED)), (*RIGHT, bgr(GREEN))],
        0,
    ),
    "webp lossy": (lambda: encode(halves(RED, GREEN), "WEBP"), [(*LEFT, bgr(RED))], 12),
    "tiff 16-bit rgb (cv2)": (tiff16_rgb, [(*MID, (0x12, 0x80, 0xFF))], 0),
    "tiff float rgb (OpenCV fallback)": (
        lambda: float_rgb_tiff(np.dstack([np.full((H, W), v, np.float32) for v in (1, 0, 3)])),
        [(*MID, (255, 0, 85))],  # R, G, B = 1, 0, 3 stretched over 0..3 -> BGR
        1,
    ),
    "bmp": (lambda: encode(halves(GREEN, RED), "BMP"), [(*LEFT, bgr(GREEN))], 0),
}


@pytest.mark.parametrize("name", GOOD)
def test_good_inputs_decode_to_bgr_uint8(name: str) -> None:
    make, probes, tolerance = GOOD[name]
    image = decode_image(make())
    assert image.shape == (H, W, 3)
    assert image.dtype == np.uint8
    assert image.flags.c_contiguous
    for row, col, expected in probes:
        got = image[row, col].astype(int)
        assert np.abs(got - expected).max() <= tolerance, (row, col, got.tolist(), expected)


def test_grey16_uses_the_value_range_not_clipping() -> None:
    image = decode_image(grey16((1000, 2000, 3000), ".png"))
    assert image.min() == 0
    assert image.max() == 255
    assert len(np.unique(image)) == 3


@settings(max_examples=40, deadline=None)
@given(lo=st.integers(0, 65534), span=st.integers(1, 65535))
def test_grey16_range_maps_to_full_8_bit(lo: int, span: int) -> None:
    hi = min(lo + span, 65535)
    image = decode_image(grey16((lo, (lo + hi) // 2, hi), ".png"))
    assert image[LEFT].tolist() == [0, 0, 0]
    assert image[RIGHT].tolist() == [255, 255, 255]


# EXIF orientation -> where the stored top-left (red) and top-right (green) corners end up.
ORIENTATION_CORNERS = {
    1: ("top-left", "top-right"),
    2: ("top-right", "top-left"),
    3: ("bottom-right", "bottom-left"),
    4: ("bottom-left", "bottom-right"),
    5: ("top-left", "bottom-left"),
    6: ("top-right", "bottom-right"),
    7: ("bottom-right", "top-right"),
    8: ("bottom-left", "top-left"),
}


def corner_colour(image: np.ndarray, corner: str) -> np.ndarray:
    height, width = image.shape[:2]
    row = 4 if corner.startswith("top") else height - 5
    col = 4 if corner.endswith("left") else width - 5
    return image[row, col].astype(int)


def marked_rgb() -> np.ndarray:
    """H x W grey RGB array, red block at the top-left corner, green block at the top-right."""
    rgb = np.full((H, W, 3), 128, np.uint8)
    rgb[:12, :12] = RED
    rgb[:12, -12:] = GREEN
    return rgb


def jpeg_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(Image.fromarray(marked_rgb()), "JPEG", quality=95, exif=exif)


def float_tiff_with_orientation(orientation: int) -> bytes:
    return float_rgb_tiff(marked_rgb().astype(np.float32), orientation)


@pytest.mark.parametrize("make", [jpeg_with_orientation, float_tiff_with_orientation])
@pytest.mark.parametrize("orientation", ORIENTATION_CORNERS)
def test_exif_orientation(make: Callable[[int], bytes], orientation: int) -> None:
    image = decode_image(make(orientation))
    assert image.shape[:2] == ((W, H) if orientation >= 5 else (H, W))
    red_at, green_at = ORIENTATION_CORNERS[orientation]
    assert np.abs(corner_colour(image, red_at) - bgr(RED)).max() <= 10
    assert np.abs(corner_colour(image, green_at) - bgr(GREEN)).max() <= 10


def truncated_jpeg() -> bytes:
    noise = np.random.default_rng(1).integers(0, 256, (H, W, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), "JPEG")
    return data[: len(data) // 2]


def corrupt_png() -> bytes:
    noise = np.random.default_rng(2).integers(0, 256, (H, W, 3), dtype=np.uint8)
    data = bytearray(encode(Image.fromarray(noise), "PNG"))
    start = data.index(b"IDAT") + 4
    for i in range(start + 200, start + 232):
        data[i] ^= 0xFF
    return bytes(data)


BAD: dict[str, tuple[Callable[[], bytes], str]] = {
    "zero bytes": (lambda: b"", "empty file (0 bytes)"),
    "text": (lambda: b"Dear colleague,\nplease find the photo attached.\n", "starts like text"),
    "utf-8 text": (lambda: "Rücken, Schulter – Foto folgt.\n".encode(), "starts like text"),
    "html": (lambda: b"<!DOCTYPE html>\n<html><body>404</body></html>", "web page"),
    "pdf": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    "zip": (lambda: b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(40), "ZIP"),
    "random binary": (lambda: bytes(range(256)) * 4, "not an image (unrecognised file format)"),
    "heic": (lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + bytes(64), "HEIC"),
    "ppm (not a photo format we accept)": (
        lambda: encode(Image.new("RGB", (W, H), RED), "PPM"),
        "not an image",
    ),
    "truncated jpeg": (truncated_jpeg, "truncated or corrupt JPEG"),
    "jpeg cut inside its header": (lambda: truncated_jpeg()[:20], "truncated or corrupt JPEG"),
    "corrupt png": (corrupt_png, "truncated or corrupt PNG"),
    "truncated gif": (lambda: animated("GIF", [RED, BLUE])[:40], "truncated or corrupt GIF"),
    "tiff with garbage ifd": (lambda: b"II*\x00\xff\xff\xff\x7f" + bytes(32), "corrupt TIFF"),
    "1x1 png": (
        lambda: encode(Image.new("RGB", (1, 1)), "PNG"),
        "image too small (1x1 px); need at least 32x32",
    ),
    "31 px high png": (lambda: encode(Image.new("L", (500, 31)), "PNG"), "image too small"),
    "png declaring 11000x10000": (
        lambda: png_declaring(11_000, 10_000),
        "image too large (11000x10000 px = 110 megapixels; the limit is 100)",
    ),
    "png declaring 20000x20000 (Pillow's bomb error)": (
        lambda: png_declaring(20_000, 20_000),
        "image too large (over",
    ),
    "float tiff declaring 11000x10000": (
        lambda: float_rgb_tiff_declaring(11_000, 10_000),
        "image too large",
    ),
}


def float_rgb_tiff_declaring(width: int, height: int) -> bytes:
    """A small float RGB TIFF whose IFD claims width x height."""
    data = bytearray(float_rgb_tiff(np.zeros((H, W, 3), np.float32)))
    for tag, value in ((256, width), (257, height)):
        entry = data.index(struct.pack("<HHI", tag, 4, 1))
        data[entry + 8 : entry + 12] = struct.pack("<I", value)
    return bytes(data)


@pytest.mark.parametrize("name", BAD)
def test_bad_inputs_raise_image_error(name: str) -> None:
    make, fragment = BAD[name]
    with pytest.raises(ImageError) as info:
        decode_image(make())
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert "Traceback" not in message
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_image_error_is_a_value_error() -> None:
    assert issubclass(ImageError, ValueError)


def test_max_pixels_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    data = encode(Image.new("1", (1200, 1000)), "PNG")
    assert decode_image(data).shape == (1000, 1200, 3)
    monkeypatch.setattr(imageio, "MAX_PIXELS", 1_000_000)
    with pytest.raises(ImageError, match=r"1\.2 megapixels; the limit is 1\)"):
        decode_image(data)


def test_pillow_bomb_warning_below_our_limit_is_neither_raised_nor_leaked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2_000)  # warns above 2000, errors above 4000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = decode_image(encode(Image.new("RGB", (W, 50), RED), "PNG"))
    assert image.shape == (50, W, 3)


def test_fuzzed_images_decode_or_raise_image_error() -> None:
    seeds = [
        encode(halves(RED, BLUE), "JPEG"),
        encode(halves(RED, BLUE), "PNG"),
        animated("GIF", [RED, BLUE]),
        encode(halves(RED, BLUE), "WEBP"),
        tiff16_rgb(),
        float_rgb_tiff(np.ones((H, W, 3), np.float32)),
    ]

    @settings(max_examples=300, deadline=None, database=None)
    @given(
        seed=st.sampled_from(seeds),
        edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
        cut=st.integers(1, 10_000),
    )
    def check(seed: bytes, edits: list[tuple[int, int]], cut: int) -> None:
        data = bytearray(seed[: max(cut, len(seed) // 4)])
        for pos, value in edits:
            data[pos % len(data)] = value
        try:
            image = decode_image(bytes(data))
        except ImageError as exc:
            assert "\n" not in str(exc)
        else:
            assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(imageio, "MAX_PIXELS", 1_000_000)  # keep mutated headers cheap to decode
        check()


def test_read_image_round_trip(tmp_path) -> None:
    path = tmp_path / "back.png"
    path.write_bytes(encode(halves(RED, BLUE), "PNG"))
    image = read_image(path)
    assert image[LEFT].tolist() == list(bgr(RED))
    assert read_image(str(path)).shape == (H, W, 3)


def test_read_image_missing_file(tmp_path) -> None:
    with pytest.raises(ImageError, match="file not found"):
        read_image(tmp_path / "nope.jpg")


def test_read_image_directory(tmp_path) -> None:
    with pytest.raises(ImageError, match="directory"):
        read_image(tmp_path)


def test_read_image_empty_file(tmp_path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(ImageError, match=r"empty file \(0 bytes\)"):
        read_image(path)


@pytest.mark.parametrize(
    ("error", "fragment"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (OSError(errno.EIO, "Input/output error"), "cannot read the file (Input/output error)"),
    ],
)
def test_read_image_os_errors(
    tmp_path, monkeypatch: pytest.MonkeyPatch, error: OSError, fragment: str
) -> None:
    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(imageio.os, "open", refuse)
    with pytest.raises(ImageError, match=re.escape(fragment)):
        read_image(tmp_path / "photo.jpg")


@pytest.mark.parametrize(
    ("shape", "max_side", "expected_shape", "expected_scale"),
    [
        ((300, 400, 3), 100, (75, 100, 3), 0.25),
        ((400, 300, 3), 100, (100, 75, 3), 0.25),
        ((1000, 333, 3), 256, (256, 85, 3), 0.256),
        ((400, 400), 200, (200, 200), 0.5),
    ],
)
def test_downscale_for_inference(
    shape: tuple[int, ...],
    max_side: int,
    expected_shape: tuple[int, ...],
    expected_scale: float,
) -> None:
    image = np.random.default_rng(3).integers(0, 256, shape, dtype=np.uint8)
    small, scale = downscale_for_inference(image, max_side)
    assert small.shape == expected_shape
    assert small.dtype == np.uint8
    assert scale == pytest.approx(expected_scale)


@pytest.mark.parametrize("max_side", [400, 401, 10_000])
def test_downscale_for_inference_leaves_small_images_alone(max_side: int) -> None:
    image = np.zeros((300, 400, 3), np.uint8)
    same, scale = downscale_for_inference(image, max_side)
    assert same is image
    assert scale == 1.0


def test_downscale_for_inference_rejects_a_non_positive_limit() -> None:
    with pytest.raises(ValueError, match="max_side_px"):
        downscale_for_inference(np.zeros((40, 40, 3), np.uint8), 0)


@settings(max_examples=60, deadline=None)
@given(height=st.integers(1, 600), width=st.integers(1, 600), max_side=st.integers(1, 700))
def test_downscale_keeps_aspect_ratio(height: int, width: int, max_side: int) -> None:
    image = np.zeros((height, width, 3), np.uint8)
    small, scale = downscale_for_inference(image, max_side)
    new_height, new_width = small.shape[:2]
    assert max(new_height, new_width) == min(max(height, width), max_side)
    assert abs(new_height - height * scale) <= 0.5 + 1e-9 or new_height == 1
    assert abs(new_width - width * scale) <= 0.5 + 1e-9 or new_width == 1
    assert 0 < scale <= 1.0


# -- special files, size caps, the working size -------------------------------------------


def test_a_link_to_a_device_is_refused_without_reading_it(tmp_path) -> None:
    link = tmp_path / "zero.jpg"
    link.symlink_to("/dev/zero")
    with pytest.raises(ImageError, match=re.escape("not a regular file (a device)")):
        read_image(link)


def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    outcome: list[str] = []

    def read() -> None:
        try:
            read_image(fifo)
        except ImageError as error:
            outcome.append(str(error))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the reader so the test run can end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("read_image waited on a FIFO")
    assert outcome == ["cannot read the file (not a regular file (a FIFO))"]


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path, monkeypatch) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(encode(halves(RED, BLUE), "PNG"))
    monkeypatch.setattr(imageio, "MAX_FILE_BYTES", 100)
    with pytest.raises(ImageError, match=r"file too large \(\d+ kB; the limit is 0 kB\)"):
        read_image(path)


@pytest.mark.parametrize(("width", "height"), [(32, 641), (2000, 99)])
def test_strips_longer_than_the_aspect_limit_are_refused(width: int, height: int) -> None:
    data = encode(Image.new("L", (width, height)), "PNG")
    with pytest.raises(ImageError, match=f"image too long and narrow \\({width}x{height} px\\)"):
        decode_image(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_big_pictures_decode_at_the_working_size(monkeypatch, fmt: str) -> None:
    """Scaled down while decoding, colours and layout kept (JPEG through its draft mode)."""
    monkeypatch.setattr(imageio, "WORKING_MAX_SIDE_PX", 16)
    image = decode_image(
        encode(halves(RED, BLUE), fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    )
    assert image.shape == (12, 16, 3)
    assert np.abs(image[6, 2].astype(int) - bgr(RED)).max() < 20
    assert np.abs(image[6, 13].astype(int) - bgr(BLUE)).max() < 20


def test_the_working_size_applies_after_the_exif_turn(monkeypatch) -> None:
    """A sideways-stored photo comes out upright at the working size (orientation 6)."""
    monkeypatch.setattr(imageio, "WORKING_MAX_SIDE_PX", 16)
    stored = halves(RED, BLUE).transpose(Image.Transpose.ROTATE_90)  # what a camera stores
    exif = Image.Exif()
    exif[0x0112] = 6
    image = decode_image(encode(stored, "JPEG", quality=95, exif=exif.tobytes()))
    assert image.shape == (12, 16, 3)
    assert np.abs(image[6, 2].astype(int) - bgr(RED)).max() < 20


def test_a_100_megapixel_png_decodes_within_memory_at_the_working_size() -> None:
    """9900 x 10000 grey zeros (a 100 KB file): decoded to the working size, not kept whole."""
    data = cv2_encode(".png", np.zeros((10_000, 9_900), np.uint8))
    image = decode_image(data)
    assert max(image.shape[:2]) == imageio.WORKING_MAX_SIDE_PX
    assert image.shape == (4608, 4562, 3)
