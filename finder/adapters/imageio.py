"""Photo decoding for the command line, the Python API and the Streamlit upload.

Every decoder returns a 3-channel uint8 BGR array (OpenCV's channel order), H x W x 3,
C-contiguous, upright according to the EXIF orientation. Every failure the user can fix or
should know about is an `ImageError` with a one-line message; messages do not repeat the file
path, so a caller that knows it prefixes it.
"""

from __future__ import annotations

import errno
import io
import math
import os
import stat
import warnings

import cv2
import numpy as np
from PIL import Image, TiffImagePlugin

MAX_PIXELS = 100_000_000
"""Largest accepted image, in pixels (width x height), checked from the header before decoding."""

MIN_SIDE_PX = 32
"""Smallest accepted width and height, in pixels."""

MAX_ASPECT_RATIO = 20
"""Longest accepted long side, as a multiple of the short side: a strip narrower than this
cannot show a back, and padding it for the pose search would cost memory for nothing."""

WORKING_MAX_SIDE_PX = 4608
"""Long side, in pixels, of the picture every later step works on: a larger photo is scaled
down while it is decoded, before any pipeline work, so the pictures kept stay within memory.
4608 px keeps 12- and 16-megapixel camera photos (4032 x 3024, 4240 x 2832, 4608 x 2592, 4608 x
3456) as they are: their points come in the photo's own pixels, and decoding them resizes
nothing (shrinking a 4244 x 2829 JPEG to 4096 px cost about 90 ms of CPU, as much as decoding
it); the pose model itself sees at most 1280 px (finder.adapters.pose)."""

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest photo file read, in bytes; read with this cap, so a device file cannot fill memory."""

DARK_BRIGHTEST_LUMA = 40
"""A picture is too dark to find a person in when even its brightest 1 % of pixels stay below
this luma (0..255). Measured on the shared photos: the darkest real one (11, a low-key shot of a
lit body on black) has its brightest 1 % at 170; BlazePose loses photo 13 once darkened below
about 8 % of its brightness, where that figure falls to 20."""

INPUT_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".bmp",
    ".tif",
    ".tiff",
    ".gif",
    ".heic",
    ".heif",
)
"""File name endings taken as photos in folders and offered by the app's file picker: the
formats `decode_image` reads, and HEIC/HEIF, which it recognises to say how to convert them.
The content decides how a file is read, not its name."""

# Formats a photo plausibly arrives in. Everything else Pillow could open (EPS runs Ghostscript,
# TGA "recognises" arbitrary binary data, ...) is refused as not an image.
_PHOTO_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "GIF", "TIFF", "BMP", "AVIF")

_HIGH_DEPTH_GREY_MODES = ("I", "I;16", "I;16L", "I;16B", "I;16N", "F")

# Bytes that occur in text (ASCII printable, tab, newlines, form feed, escape, and any byte of a
# UTF-8 or Latin-1 character); a file made only of these "starts like text".
_TEXT_BYTES = bytes({7, 8, 9, 10, 12, 13, 27} | set(range(0x20, 0x100)) - {0x7F})

# Pillow's format names as the user knows them (MPO is a camera JPEG with extra pictures).
_FORMAT_NAMES = {"MPO": "JPEG", "WEBP": "WebP"}

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


class ImageError(ValueError):
    """The input is not a usable photo; `str(err)` is a one-line message for the user."""


def decode_image(data: bytes) -> np.ndarray:
    """Decode encoded image bytes to an upright H x W x 3 uint8 BGR array.

    Transparent areas are composited onto white; animated images give their first frame;
    16/32-bit and float greyscale are stretched from their actual value range to 0..255.
    A picture whose long side exceeds WORKING_MAX_SIDE_PX comes out scaled down to it (its
    pixel coordinates are the scaled picture's). Raises ImageError for empty, non-image,
    corrupt, too small, too large or too long and narrow input.
    """
    if not data:
        raise ImageError("empty file (0 bytes)")
    with warnings.catch_warnings():
        # MAX_PIXELS is our limit; Pillow's lower DecompressionBombWarning threshold is noise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=_available_formats())
        except Image.DecompressionBombError as exc:  # Pillow's hard stop, 2 x MAX_IMAGE_PIXELS
            limit = _megapixels(2 * Image.MAX_IMAGE_PIXELS)
            raise ImageError(
                f"image too large (over {limit} megapixels; the limit is {_megapixels(MAX_PIXELS)})"
            ) from exc
        except Exception as exc:  # Pillow raises many types for a header it cannot parse
            if _magic_format(data) == "TIFF":
                return _decode_tiff_with_opencv(data)
            raise ImageError(_unreadable_message(data)) from exc
        with img:
            fmt = _FORMAT_NAMES.get(img.format, img.format)
            _check_size(*img.size)
            try:
                orientation = img.getexif().get(_ORIENTATION_TAG, 1)
                img.draft(img.mode, working_size(*img.size))  # JPEG: decode at 1/2 .. 1/8
                img.load()
                return _pil_to_bgr(_upright(_toworking_size(img), orientation))
            except MemoryError:
                raise
            except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError, ...
                raise ImageError(f"truncated or corrupt {fmt}") from exc


def check_bgr(image: np.ndarray) -> np.ndarray:
    """An image array given to the Python API, checked: H x W x 3 uint8 (BGR) within the size
    limits. Raises ImageError saying what is wrong with it."""
    shape = getattr(image, "shape", None)
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        raise ImageError(f"image array must be height x width x 3 (BGR), got shape {shape}")
    if image.dtype != np.uint8:
        raise ImageError(f"image array must be uint8 (0..255), got {image.dtype}")
    _check_size(image.shape[1], image.shape[0])
    return image


def too_dark(image: np.ndarray, rgb: bool = False) -> bool:
    """Whether even the brightest 1 % of a BGR uint8 picture (RGB when `rgb`; a view into a
    larger picture is read in place) is darker than DARK_BRIGHTEST_LUMA."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY if rgb else cv2.COLOR_BGR2GRAY)
    counts = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    brightest_percent_from = int(np.searchsorted(np.cumsum(counts), 0.99 * grey.size))
    return brightest_percent_from < DARK_BRIGHTEST_LUMA


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a photo file and decode it like `decode_image` (H x W x 3 uint8 BGR).

    Only a regular file (or a link to one) of at most MAX_FILE_BYTES is read: a folder, a
    device (/dev/zero), a FIFO or a socket is refused at once, without reading from it."""
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except FileNotFoundError as exc:
        raise ImageError("file not found") from exc
    except PermissionError as exc:
        raise ImageError("permission denied (cannot read the file)") from exc
    except IsADirectoryError as exc:
        raise ImageError("is a directory, not an image file") from exc
    except OSError as exc:
        raise ImageError(f"cannot read the file ({exc.strerror or exc})") from exc
    return decode_image(data)


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`. Opened without blocking (a FIFO
    does not wait for a writer) and checked on the open file, so a swap in between cannot
    slip a device in. Raises OSError: IsADirectoryError for a folder, OSError with strerror
    "not a regular file (...)" or "file too large (...)" otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file (a {_file_kind(info.st_mode)})")
        if info.st_size > max_bytes:
            raise OSError(
                errno.EFBIG,
                f"file too large ({_size(info.st_size)}; the limit is {_size(max_bytes)})",
            )
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while being read
        raise OSError(errno.EFBIG, f"file too large (over {_size(max_bytes)})")
    return data


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISCHR, "device"),
        (stat.S_ISBLK, "disk device"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
    )
    return next((name for test, name in kinds if test(mode)), "special file")


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:.0f} MB" if n_bytes >= 2**20 else f"{n_bytes / 2**10:.0f} kB"


def downscale_for_inference(bgr: np.ndarray, max_side_px: int) -> tuple[np.ndarray, float]:
    """Shrink an image (INTER_AREA) so its long side is at most `max_side_px` pixels.

    Returns the image and the scale factor resized / original (multiply original pixel
    coordinates by it). An image already small enough is returned as is, with scale 1.0.
    """
    if max_side_px < 1:
        raise ValueError(f"max_side_px must be at least 1, got {max_side_px}")
    height, width = bgr.shape[:2]
    long_side = max(height, width)
    if long_side <= max_side_px:
        return bgr, 1.0
    scale = max_side_px / long_side
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(bgr, size, interpolation=cv2.INTER_AREA), scale


def _available_formats() -> tuple[str, ...]:
    Image.init()
    return tuple(f for f in _PHOTO_FORMATS if f in Image.OPEN)


def _megapixels(pixels: int) -> str:
    """Megapixels rounded up to one decimal: a size over a limit never reads as the limit."""
    return f"{math.ceil(pixels / 1e5) / 10:g}"


_ORIENTATION_TAG = 0x0112

# The transpose that makes a picture upright, by EXIF orientation (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def working_size(width: int, height: int) -> tuple[int, int]:
    """(width, height) in pixels of the picture the finder works on for a photo of that size:
    the same, or scaled down so the long side is WORKING_MAX_SIDE_PX."""
    long_side = max(width, height)
    if long_side <= WORKING_MAX_SIDE_PX:
        return width, height
    scale = WORKING_MAX_SIDE_PX / long_side
    return max(1, round(width * scale)), max(1, round(height * scale))


def _toworking_size(img: Image.Image) -> Image.Image:
    """A decoded picture scaled down (box filter) to `_working_size`, in its own mode; Pillow
    scales paletted and 1-bit pictures by nearest neighbour."""
    size = working_size(*img.size)
    return img if size == img.size else img.resize(size, Image.Resampling.BOX, reducing_gap=1.0)


def _upright(img: Image.Image, orientation: object) -> Image.Image:
    method = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return img if method is None else img.transpose(method)


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"image too large ({width}x{height} px = {_megapixels(width * height)} megapixels; "
            f"the limit is {_megapixels(MAX_PIXELS)})"
        )
    if min(width, height) < MIN_SIDE_PX:
        raise ImageError(
            f"image too small ({width}x{height} px); need at least {MIN_SIDE_PX}x{MIN_SIDE_PX}"
        )
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageError(
            f"image too long and narrow ({width}x{height} px); the long side may be at most "
            f"{MAX_ASPECT_RATIO} times the short one"
        )


def _pil_to_bgr(img: Image.Image) -> np.ndarray:
    """Decoded, upright Pillow image of any mode -> H x W x 3 uint8 BGR."""
    if img.mode in _HIGH_DEPTH_GREY_MODES:
        return cv2.cvtColor(_stretch_to_uint8(np.asarray(img)), cv2.COLOR_GRAY2BGR)
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        rgb = Image.new("RGB", img.size, (255, 255, 255))
        rgb.paste(rgba, mask=rgba)
    else:
        rgb = img if img.mode == "RGB" else img.convert("RGB")  # convert would copy an RGB one
    return cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)


def _stretch_to_uint8(values: np.ndarray) -> np.ndarray:
    """Map the finite value range of `values` linearly onto 0..255; NaN, inf and a uniform image
    give 0."""
    values = values.astype(np.float32)
    finite = np.isfinite(values)
    lo = float(values.min(where=finite, initial=np.inf))
    hi = float(values.max(where=finite, initial=-np.inf))
    if not lo < hi:
        return np.zeros(values.shape, np.uint8)
    values = (values - lo) * (255.0 / (hi - lo))
    values[~finite] = 0.0
    return np.rint(values).astype(np.uint8)


def _decode_tiff_with_opencv(data: bytes) -> np.ndarray:
    """Fallback for TIFF layouts Pillow cannot open (float or signed samples, ...).

    The size limits are checked from the first IFD before OpenCV decodes; OpenCV's TIFF decoder
    applies the Orientation tag itself (even with IMREAD_UNCHANGED); alpha is ignored.
    """
    try:
        ifh = data[:16] if data[2] == 43 else data[:8]  # 43: BigTIFF
        ifd = TiffImagePlugin.ImageFileDirectory_v2(ifh)
        fp = io.BytesIO(data)
        fp.seek(ifd.next)
        ifd.load(fp)
        width, height = int(ifd[256]), int(ifd[257])
    except Exception as exc:  # any malformed IFD
        raise ImageError("truncated or corrupt TIFF") from exc
    _check_size(width, height)
    arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if arr is None:
        raise ImageError("unsupported or corrupt TIFF")
    if arr.dtype == np.uint16:
        arr = (arr >> 8).astype(np.uint8)
    elif arr.dtype != np.uint8:
        arr = _stretch_to_uint8(arr if arr.ndim == 2 else arr[:, :, :3])
    if arr.ndim == 3 and arr.shape[2] < 3:
        arr = arr[:, :, 0]
    arr, _ = downscale_for_inference(arr, WORKING_MAX_SIDE_PX)
    if arr.ndim == 2:
        return cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(arr[:, :, :3])


def _magic_format(data: bytes) -> str | None:
    """Image format named by the file's leading bytes, whether or not we can decode it."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "TIFF"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIC"
    return None


def _unreadable_message(data: bytes) -> str:
    """Why bytes Pillow could not identify are not a photo we can use."""
    fmt = _magic_format(data)
    if fmt == "HEIC":
        return "unsupported image format (HEIC/HEIF); export the photo as JPEG or PNG"
    if fmt is not None:
        return f"truncated or corrupt {fmt}"
    if data.startswith(b"%PDF"):
        return "not an image (the file is a PDF document)"
    if data.startswith(b"PK\x03\x04"):
        return "not an image (the file is a ZIP archive or office document)"
    head = data[:512]
    if not head.translate(None, _TEXT_BYTES):
        if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
            return "not an image (the file is a web page, HTML)"
        return "not an image (the file starts like text)"
    return "not an image (unrecognised file format)"
