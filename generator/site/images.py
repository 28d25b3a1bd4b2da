"""Images a moderator adds to content/images/: re-encoded from pixels, then checked by bytes.

A photo straight from a phone can say where and when it was taken, on which
device, and by whom (EXIF and its GPS block, XMP, IPTC, comments, PNG text
chunks, embedded thumbnails that may show the uncropped picture). Rather than
deleting the parts we know about, `reencode` copies only the pixels into a new
image and encodes that, so nothing else can travel with them.

`metadata_found` reads the container bytes themselves (JPEG segments, PNG
chunks, WebP RIFF chunks, GIF extension blocks), not Pillow's reading of them,
so the audit can check what was actually written.

Colours: a picture with an embedded ICC colour profile is converted to sRGB
with Pillow's ImageCms before the profile is dropped. Where that conversion
is not possible (a damaged profile, or one that does not match the picture's
colour mode), the pixels are kept as they are and colours may shift slightly.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from PIL import Image, ImageCms, ImageOps

from generator.errors import ImageError

IMAGES_DIR = Path("content") / "images"

# Extension -> the Pillow format written for it.
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}
PUBLISHED_SUFFIXES = frozenset(FORMATS)
# Image files quietboard never writes (besides its own theme's icon).
FOREIGN_SUFFIXES = frozenset({
    ".svg", ".svgz", ".bmp", ".dib", ".tif", ".tiff", ".ico", ".cur", ".heic", ".heif",
    ".avif", ".jxl", ".jp2", ".j2k", ".jpx", ".psd", ".apng", ".jfif", ".pjpeg", ".pjp",
    ".xbm", ".pcx", ".tga", ".eps", ".raw", ".dng", ".cr2", ".nef", ".arw",
})  # fmt: skip
IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(jpg|jpeg|png|webp|gif)$")

# Guards against decompression bombs: a small file that claims enormous
# dimensions and would take gigabytes to decode. 50 megapixels is more than
# any phone saves by default.
MAX_PIXELS = 50_000_000
MAX_BYTES = 50 * 1024 * 1024
JPEG_QUALITY = 85
WEBP_QUALITY = 85
# Pillow is only ever asked to read these; it never tries its other decoders
# (PostScript, for one, would run Ghostscript).
# A JPEG with extra pictures (MPO) is read by the JPEG reader.
READABLE = ["JPEG", "PNG", "WEBP", "GIF"]
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, TypeError, struct.error, IndexError)
_WHITE = (255, 255, 255)


def check_name(name: str, source: str) -> None:
    """Refuse a file in content/images that cannot be published as it is named."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in {".svg", ".svgz"}:
        raise ImageError(f"{source}: SVG can carry script; export it as PNG")
    if suffix not in PUBLISHED_SUFFIXES:
        raise ImageError(
            f"{source}: only .jpg, .jpeg, .png, .webp and .gif images are published; "
            "export it as JPEG or PNG, or move it out of content/images"
        )
    if not IMAGE_NAME.match(name):
        stem = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(name).stem.lower()).strip("-") or "image"
        raise ImageError(
            f"{source}: an image's file name is part of its address; use lower-case letters, "
            f"digits and hyphens, for example {stem}{suffix}"
        )


def read_images(board_root: Path) -> list[tuple[str, bytes]]:
    """(file name, re-encoded bytes) for every image in BOARD_ROOT/content/images."""
    top = Path(board_root) / IMAGES_DIR
    if not top.is_dir():
        return []
    published = []
    for path in sorted(top.iterdir()):
        if path.name.startswith("."):
            continue
        source = (IMAGES_DIR / path.name).as_posix()
        if not path.is_file():
            raise ImageError(
                f"{source}: images go straight into content/images, not into folders; "
                "move its files up"
            )
        check_name(path.name, source)
        published.append((path.name, reencode(path.read_bytes(), source)))
    return published


def write_images(images: list[tuple[str, bytes]], site: Path) -> None:
    """Write re-encoded IMAGES into SITE/images/, exactly as they are."""
    if images:
        (site / "images").mkdir(exist_ok=True)
    for name, data in images:
        (site / "images" / name).write_bytes(data)


def reencode(data: bytes, name: str) -> bytes:
    """DATA re-encoded from its pixels alone, in the format NAME's extension names.

    NAME is used for that extension and in messages. Raises ImageError for a
    file that is not a still JPEG, PNG, WebP or GIF image, or is too large.
    """
    fmt = FORMATS.get(PurePosixPath(name).suffix.lower())
    if fmt is None:
        raise ImageError(f"{name}: only .jpg, .jpeg, .png, .webp and .gif images are published")
    if len(data) > MAX_BYTES:
        raise ImageError(
            f"{name}: {len(data) // (1024 * 1024)} MB is more than the "
            f"{MAX_BYTES // (1024 * 1024)} MB limit; export it smaller"
        )
    pixels = _decode(data, name)
    out = _for_format(pixels, fmt)
    encoded = _encode(out, fmt, lossless=_is_lossless_webp(data))
    leftover = metadata_found(encoded, name)
    if leftover:  # Only a change in Pillow could cause this; never publish it.
        raise ImageError(f"{name}: re-encoding left {', '.join(leftover)} in the image")
    return encoded


def _decode(data: bytes, name: str) -> Image.Image:
    not_an_image = ImageError(
        f"{name}: not a readable JPEG, PNG, WebP or GIF image; open it in an image editor "
        "and export it again"
    )
    too_big = (
        f"more than the {MAX_PIXELS // 1_000_000}-megapixel limit "
        "(a guard against decompression bombs); export it smaller"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=READABLE)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageError(f"{name}: {width}×{height} pixels is {too_big}")
            if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
                # An MPO is a JPEG with extra pictures (depth maps, previews)
                # after the main one, which is the one shown and kept.
                raise ImageError(f"{name}: animated images are not supported; export one frame")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{name}: its size is {too_big}") from None
    except _DECODE_ERRORS:
        raise not_an_image from None
    icc = image.info.get("icc_profile")
    try:
        # First, while the EXIF is still there, so dropping it does not turn
        # a phone photo on its side.
        image = ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:
        pass  # A damaged EXIF block: no orientation to honour, as browsers do.
    return _to_srgb(image, icc) if icc else image


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    spaces = {"RGB": "RGB ", "RGBA": "RGB ", "CMYK": "CMYK"}
    if image.mode not in spaces:
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if profile.profile.xcolor_space != spaces[image.mode]:
            return image
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, profile, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # Colours may shift slightly; the module docstring says so.
    return converted if converted is not None else image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
        image.mode == "P" and "transparency" in image.info
    )


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, _WHITE)
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _standard_mode(image: Image.Image) -> Image.Image:
    """IMAGE in one of 1, L, LA, P (RGB palette), RGB, RGBA."""
    if image.mode in {"1", "L", "RGB"} and "transparency" in image.info:
        return image.convert("LA" if image.mode == "L" else "RGBA")  # a tRNS colour key
    if image.mode in {"1", "L", "LA", "RGB", "RGBA"}:
        return image
    if image.mode == "P":
        palette = image.palette.mode if image.palette else "RGB"
        if palette == "RGB" and isinstance(image.info.get("transparency", 0), int | bytes):
            return image
        return image.convert("RGBA" if _has_alpha(image) or palette == "RGBA" else "RGB")
    if image.mode.startswith(("I", "F")):
        # 16-bit and float greys: scale to 8 bits instead of clipping to white.
        scale = 1 / 256 if image.mode.startswith("I;16") or image.mode == "I" else 255
        return image.convert("F").point(lambda v: v * scale).convert("L")
    return image.convert("RGBA" if _has_alpha(image) else "RGB")


def _for_format(image: Image.Image, fmt: str) -> Image.Image:
    """A new image holding only IMAGE's pixels, in a mode FMT can store."""
    image = _standard_mode(image)
    if fmt == "JPEG":
        if _has_alpha(image):
            image = _on_white(image)
        elif image.mode not in {"L", "RGB"}:
            image = image.convert("L" if image.mode == "1" else "RGB")
    elif fmt == "WEBP":
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    elif fmt == "GIF":
        if image.mode == "P" and isinstance(image.info.get("transparency", 0), bytes):
            image = image.convert("RGBA")
        if image.mode not in {"1", "L", "P"}:
            # GIF keeps one transparent colour at most: flatten instead.
            flat = _on_white(image) if _has_alpha(image) else image.convert("RGB")
            image = flat.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
    return _pixels_only(image)


def _pixels_only(image: Image.Image) -> Image.Image:
    """A brand-new image from IMAGE's raw pixels: no info, EXIF, profile or text."""
    fresh = Image.frombytes(image.mode, image.size, image.tobytes())
    if image.mode == "P":
        fresh.putpalette(image.getpalette("RGB") or [])
        transparency = image.info.get("transparency")
        if isinstance(transparency, int | bytes):
            fresh.info["transparency"] = transparency
    return fresh


def _encode(image: Image.Image, fmt: str, *, lossless: bool) -> bytes:
    options: dict[str, object] = {}
    if "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    if fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True, progressive=False)
    elif fmt == "PNG":
        options.update(optimize=True)
    elif fmt == "WEBP":
        options.update(lossless=lossless, quality=100 if lossless else WEBP_QUALITY)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _is_lossless_webp(data: bytes) -> bool:
    if not data.startswith(b"RIFF") or data[8:12] != b"WEBP":
        return False
    return any(fourcc == b"VP8L" for fourcc, _ in _riff_chunks(data)[0])


# --- Reading the bytes -------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_ALLOWED = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"pHYs"}
PNG_NAMED = {
    b"tEXt": "text (tEXt)",
    b"zTXt": "compressed text (zTXt)",
    b"iTXt": "international text (iTXt)",
    b"eXIf": "EXIF (eXIf)",
    b"iCCP": "ICC profile (iCCP)",
    b"tIME": "modification time (tIME)",
}
WEBP_ALLOWED = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
WEBP_NAMED = {
    b"EXIF": "EXIF (EXIF chunk)",
    b"XMP ": "XMP (XMP chunk)",
    b"ICCP": "ICC profile (ICCP chunk)",
}
JPEG_APP1 = {
    b"Exif\x00": "EXIF (APP1)",
    b"http://ns.adobe.com/xap/1.0/\x00": "XMP (APP1)",
    b"http://ns.adobe.com/xmp/extension/\x00": "extended XMP (APP1)",
}
JPEG_NAMED = {
    0xE2: {b"ICC_PROFILE\x00": "ICC profile (APP2)", b"MPF\x00": "extra pictures (MPF, APP2)"},
    0xED: {b"Photoshop 3.0\x00": "IPTC/Photoshop (APP13)"},
    0xEE: {b"Adobe": "Adobe colour data (APP14)"},
}
TRAILING = "data after the end of the image"
DAMAGED = "a damaged or truncated file (cannot be checked)"


def metadata_found(data: bytes, name: str) -> list[str]:
    """Metadata containers in DATA, an image file called NAME, read from its bytes.

    Returns human-readable findings such as "EXIF (APP1)"; an empty list
    means the file holds pixel data and the few chunks a decoder needs.
    """
    if data.startswith(b"\xff\xd8"):
        kind, found = "JPEG", _jpeg_findings(data)
    elif data.startswith(PNG_SIGNATURE):
        kind, found = "PNG", _png_findings(data)
    elif data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        kind, found = "WEBP", _webp_findings(data)
    elif data[:6] in {b"GIF87a", b"GIF89a"}:
        kind, found = "GIF", _gif_findings(data)
    else:
        return ["not a JPEG, PNG, WebP or GIF file"]
    expected = FORMATS.get(PurePosixPath(name).suffix.lower())
    if expected and expected != kind:
        found.append(f"{kind} data under a {PurePosixPath(name).suffix} name")
    return list(dict.fromkeys(found))


def _jpeg_findings(data: bytes) -> list[str]:
    found: list[str] = []
    for marker, payload in _jpeg_segments(data, found):
        if marker == 0xE0:
            # A plain JFIF header is fine; its optional thumbnail (non-zero
            # size in bytes 12 and 13) and the JFXX extension are not.
            if not payload.startswith(b"JFIF\x00") or payload[12:14].strip(b"\x00"):
                found.append("thumbnail or other data (APP0)")
        elif marker == 0xE1:
            found.append(_named(payload, JPEG_APP1, "APP1 data"))
        elif 0xE2 <= marker <= 0xEF:
            found.append(_named(payload, JPEG_NAMED.get(marker, {}), f"APP{marker - 0xE0} data"))
        elif marker == 0xFE:
            found.append("comment (COM)")
    return found


def _named(payload: bytes, names: dict[bytes, str], default: str) -> str:
    return next((label for prefix, label in names.items() if payload.startswith(prefix)), default)


def _jpeg_segments(data: bytes, found: list[str]) -> Iterator[tuple[int, bytes]]:
    """(marker, payload) for each segment of a JPEG; problems go into FOUND."""
    pos, end = 2, len(data)
    while pos < end:
        if data[pos] != 0xFF:
            found.append(DAMAGED)
            return
        while pos < end and data[pos] == 0xFF:
            pos += 1  # fill bytes
        if pos >= end:
            found.append(DAMAGED)
            return
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # end of image
            if data[pos:].strip(b"\x00"):
                found.append(TRAILING)
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if pos + 2 > end:
            found.append(DAMAGED)
            return
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > end:
            found.append(DAMAGED)
            return
        yield marker, data[pos + 2 : pos + length]
        pos += length
        if marker == 0xDA:
            pos = _after_scan(data, pos)
    found.append(DAMAGED)  # no end-of-image marker


def _after_scan(data: bytes, pos: int) -> int:
    """The position of the first marker after entropy-coded data starting at POS."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1 if following == 0xFF else 2
            continue
        return pos


def _png_findings(data: bytes) -> list[str]:
    found: list[str] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            return [*found, DAMAGED]
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk_end = pos + 12 + length
        if chunk_end > len(data):
            return [*found, DAMAGED]
        (crc,) = struct.unpack(">I", data[chunk_end - 4 : chunk_end])
        if zlib.crc32(data[pos + 4 : chunk_end - 4]) != crc:
            found.append(DAMAGED)
        if kind not in PNG_ALLOWED:
            label = kind.decode("latin-1")
            found.append(PNG_NAMED.get(kind, f"{label} chunk"))
        pos = chunk_end
        if kind == b"IEND":
            if data[pos:]:
                found.append(TRAILING)
            return found


def _riff_chunks(data: bytes) -> tuple[list[tuple[bytes, bytes]], list[str]]:
    chunks: list[tuple[bytes, bytes]] = []
    problems: list[str] = []
    (size,) = struct.unpack("<I", data[4:8])
    end = 8 + size
    if end > len(data):
        return chunks, [DAMAGED]
    if data[end:]:
        problems.append(TRAILING)
    pos = 12
    while pos < end:
        if pos + 8 > end:
            return chunks, [*problems, DAMAGED]
        fourcc, length = struct.unpack("<4sI", data[pos : pos + 8])
        if pos + 8 + length > end:
            return chunks, [*problems, DAMAGED]
        chunks.append((fourcc, data[pos + 8 : pos + 8 + length]))
        pos += 8 + length + (length & 1)
    return chunks, problems


def _webp_findings(data: bytes) -> list[str]:
    chunks, found = _riff_chunks(data)
    for fourcc, _ in chunks:
        if fourcc not in WEBP_ALLOWED:
            label = fourcc.decode("latin-1").strip()
            found.append(WEBP_NAMED.get(fourcc, f"{label} chunk"))
    return found


GIF_EXTENSIONS = {0xFE: "comment (GIF comment extension)", 0x01: "plain text extension"}


def _gif_findings(data: bytes) -> list[str]:
    found: list[str] = []
    try:
        pos = 13
        flags = data[10]
        if flags & 0x80:
            pos += 3 * 2 ** ((flags & 0x07) + 1)
        while True:
            block = data[pos]
            if block == 0x3B:  # trailer
                if data[pos + 1 :]:
                    found.append(TRAILING)
                return found
            if block == 0x21:
                label = data[pos + 1]
                first_size = data[pos + 2]
                if label == 0xFF:
                    app = data[pos + 3 : pos + 3 + min(first_size, 11)].decode("latin-1")
                    found.append(f"application extension ({app})")
                elif label != 0xF9:  # graphic control (transparency, delay) is fine
                    found.append(GIF_EXTENSIONS.get(label, f"extension 0x{label:02X}"))
                pos = _gif_skip_subblocks(data, pos + 2)
            elif block == 0x2C:
                flags = data[pos + 9]
                pos += 10
                if flags & 0x80:
                    pos += 3 * 2 ** ((flags & 0x07) + 1)
                pos = _gif_skip_subblocks(data, pos + 1)  # after the LZW code size
            else:
                return [*found, DAMAGED]
    except IndexError:
        return [*found, DAMAGED]


def _gif_skip_subblocks(data: bytes, pos: int) -> int:
    while data[pos]:
        pos += data[pos] + 1
        if pos >= len(data):
            raise IndexError(pos)
    return pos + 1
