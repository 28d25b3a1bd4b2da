"""Images in content/images: published re-encoded from pixels, with no metadata at all.

The inputs are real files made with Pillow, with metadata planted the way
cameras, phones and editors write it (and by splicing raw segments and
chunks in). The assertions are on what a real build writes.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from generator.cli import cli
from generator.errors import ImageError
from generator.site.build import audit_board, build_board
from generator.site.images import metadata_found, reencode
from generator.site.render import render_with_pelican
from tests.helpers.boards import PAGE

ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><dc:creator>Planted Creator Name'
    b"</dc:creator></rdf:RDF></x:xmpmeta>"
)
# What each planted input carries that must not reach the output.
PLANTED = (
    b"QuietboardTestPhone",
    b"PlantedDatum",
    struct.pack("<II", 26123, 1000),  # the latitude's seconds, as EXIF stores them
    struct.pack(">II", 26123, 1000),
    b"http://ns.adobe.com/xap/1.0/",
    b"Planted Creator Name",
    b"ICC_PROFILE",
    b"acsp",  # the ICC profile's signature
    b"Planted comment text",
    b"Photoshop 3.0",
    b"Planted Byline",
    b"Planted Author Name",
    b"Planted international words",
    b"tEXt",
    b"zTXt",
    b"iTXt",
    b"eXIf",
    b"iCCP",
    b"tIME",
    b"EXIF",
    b"XMP ",
    b"ICCP",
    b"Exif\x00",
)


def exif_bytes(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "QuietboardTestPhone"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.123),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
        ExifTags.GPS.GPSMapDatum: "PlantedDatum",
    }
    return exif.tobytes()


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def picture(size: tuple[int, int] = (60, 30), mode: str = "RGB") -> Image.Image:
    """Blue, with a red block in the top-left corner (to see which way up it is)."""
    image = Image.new(mode, size, "blue")
    image.paste("red", (0, 0, 20, 10))
    return image


def planted_jpeg(orientation: int = 1) -> bytes:
    buffer = io.BytesIO()
    picture().save(
        buffer,
        "JPEG",
        exif=exif_bytes(orientation),
        icc_profile=ICC,
        comment=b"Planted comment text",
    )
    data = buffer.getvalue()
    iptc = b"\x1c\x02\x50" + struct.pack(">H", 14) + b"Planted Byline"
    photoshop = (
        b"Photoshop 3.0\x008BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc + b"\x00"
    )
    xmp = jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)
    return data[:2] + xmp + jpeg_segment(0xED, photoshop) + data[2:]


def planted_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Planted Author Name")
    info.add_text("Comment", "Planted zipped words", zip=True)
    info.add_itxt("Description", "Planted international words")
    buffer = io.BytesIO()
    picture(mode="RGBA").save(buffer, "PNG", pnginfo=info, icc_profile=ICC)
    data = buffer.getvalue()
    end = data.rindex(b"IEND") - 4
    spliced = png_chunk(b"eXIf", exif_bytes()) + png_chunk(b"tIME", b"\x07\xea\x0b\x14\x0e\x20\x0b")
    return data[:end] + spliced + data[end:]


def planted_webp() -> bytes:
    buffer = io.BytesIO()
    picture().save(buffer, "WEBP", exif=exif_bytes(), xmp=XMP, icc_profile=ICC, quality=90)
    return buffer.getvalue()


def planted_gif() -> bytes:
    buffer = io.BytesIO()
    picture().save(buffer, "GIF", comment=b"Planted comment text")
    return buffer.getvalue()


def animated_gif() -> bytes:
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), "red"), Image.new("RGB", (8, 8), "blue")]
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], loop=0)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        (
            "photo.jpg",
            planted_jpeg,
            {
                "EXIF (APP1)",
                "XMP (APP1)",
                "ICC profile (APP2)",
                "IPTC/Photoshop (APP13)",
                "comment (COM)",
            },
        ),
        (
            "drawing.png",
            planted_png,
            {
                "text (tEXt)",
                "compressed text (zTXt)",
                "international text (iTXt)",
                "EXIF (eXIf)",
                "ICC profile (iCCP)",
                "modification time (tIME)",
            },
        ),
        (
            "photo.webp",
            planted_webp,
            {"EXIF (EXIF chunk)", "XMP (XMP chunk)", "ICC profile (ICCP chunk)"},
        ),
        ("still.gif", planted_gif, {"comment (GIF comment extension)"}),
        ("moving.gif", animated_gif, {"application extension (NETSCAPE2.0)"}),
    ],
)
def test_metadata_found_names_every_planted_container(name, make, expected):
    assert set(metadata_found(make(), name)) == expected


def test_metadata_found_reads_bytes_not_names():
    png = planted_png()
    assert "PNG data under a .jpg name" in metadata_found(png, "photo.jpg")
    assert metadata_found(b"<svg onload=alert(1)>", "x.png") == [
        "not a JPEG, PNG, WebP or GIF file"
    ]
    assert "data after the end of the image" in metadata_found(
        reencode(png, "x.png") + b"hidden", "x.png"
    )
    assert "data after the end of the image" in metadata_found(
        reencode(planted_jpeg(), "x.jpg") + b"hidden", "x.jpg"
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


GALLERY = {
    "guidelines": PAGE,
    "walks": "Title: Walks\n\n![A calm lake](../images/lake.png)\n\n![Path](../images/path.jpg)\n",
}
INPUTS = {
    "lake.png": planted_png,
    "path.jpg": lambda: planted_jpeg(orientation=6),
    "field.jpeg": planted_jpeg,
    "hills.webp": planted_webp,
    "still.gif": planted_gif,
}


@pytest.fixture
def gallery(make_board, today):
    """A built board with one planted image of each kind; returns (root, inputs)."""
    root = make_board(pages=GALLERY)
    inputs = {name: make() for name, make in INPUTS.items()}
    for name, data in inputs.items():
        (root / "content" / "images").mkdir(parents=True, exist_ok=True)
        (root / "content" / "images" / name).write_bytes(data)
    build_board(root, render_with_pelican)
    return root, inputs


def test_built_images_hold_the_pixels_and_nothing_else(gallery):
    root, inputs = gallery
    for name, data in inputs.items():
        built = (root / "output" / "images" / name).read_bytes()
        assert metadata_found(data, name), name
        assert metadata_found(built, name) == [], name
        for planted in PLANTED:
            assert planted not in built, (name, planted)
        with Image.open(io.BytesIO(built)) as image:
            assert not image.getexif(), name
            assert "icc_profile" not in image.info and "comment" not in image.info, name
            expected = (30, 60) if name == "path.jpg" else (60, 30)
            assert image.size == expected, name
        assert built == reencode(data, name), "the output is exactly the re-encoded bytes"


def test_a_rotated_photo_is_published_the_right_way_up(gallery):
    root, _ = gallery
    with Image.open(root / "output" / "images" / "path.jpg") as image:
        # EXIF orientation 6: turn a quarter clockwise, so the top-left block
        # ends up in the top-right corner.
        red, green, blue = image.convert("RGB").getpixel((24, 5))
        assert red > 200 and green < 60 and blue < 60
        assert image.convert("RGB").getpixel((5, 5))[2] > 200


def test_lossless_formats_keep_every_pixel(gallery):
    root, inputs = gallery
    with Image.open(io.BytesIO(inputs["lake.png"])) as before:
        with Image.open(root / "output" / "images" / "lake.png") as after:
            assert after.convert("RGBA").tobytes() == before.convert("RGBA").tobytes()


def test_pages_show_their_images(gallery):
    root, _ = gallery
    html = (root / "output" / "walks" / "index.html").read_text()
    assert 'src="../images/lake.png"' in html and 'alt="A calm lake"' in html
    assert 'src="../images/path.jpg"' in html


def test_images_do_not_depend_on_file_times(gallery):
    root, _ = gallery
    before = snapshot(root / "output" / "images")
    for path in (root / "content" / "images").iterdir():
        os.utime(path, (1_000_000_000, 1_000_000_000))
    build_board(root, render_with_pelican)
    assert snapshot(root / "output" / "images") == before


def test_a_board_without_images_publishes_no_images_folder(make_board, today):
    root = make_board()
    build_board(root, render_with_pelican)
    assert not (root / "output" / "images").exists()


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="quietboard")


def test_the_audit_finds_an_image_dropped_into_the_output_by_hand(gallery):
    root, _ = gallery
    assert audit_board(root) == []
    shutil.copyfile(root / "content" / "images" / "path.jpg", root / "output" / "images" / "x.jpg")
    (root / "output" / "images" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    findings = {(f.path, f.rule) for f in audit_board(root)}
    assert findings == {("images/x.jpg", "image-metadata"), ("images/logo.svg", "image-type")}
    messages = " ".join(str(f) for f in audit_board(root))
    assert "EXIF (APP1)" in messages and "XMP (APP1)" in messages
    result = run("audit", "--board", root)
    assert result.exit_code == 1
    assert "images/x.jpg: image carries XMP (APP1), IPTC/Photoshop (APP13), EXIF" in result.output


def bomb() -> bytes:
    """A small file that decodes to 81 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "notes.png",
            b"These are not pixels.",
            "not a readable JPEG, PNG, WebP or GIF image; open it in an image editor and "
            "export it again",
        ),
        ("logo.svg", b'<svg onload="alert(1)"/>', "SVG can carry script; export it as PNG"),
        ("moving.gif", animated_gif(), "animated images are not supported; export one frame"),
        (
            "IMG_1234.JPG",
            b"",
            "an image's file name is part of its address; use lower-case letters, digits and "
            "hyphens, for example img-1234.jpg",
        ),
        (
            "photo.heic",
            b"",
            "only .jpg, .jpeg, .png, .webp and .gif images are published; export it as JPEG or "
            "PNG, or move it out of content/images",
        ),
        (
            "huge.png",
            bomb(),
            "9000×9000 pixels is more than the 50-megapixel limit (a guard against "
            "decompression bombs); export it smaller",
        ),
    ],
)
def test_bad_images_stop_the_build_and_leave_the_output(gallery, name, data, message):
    root, _ = gallery
    before = snapshot(root / "output")
    (root / "content" / "images" / name).write_bytes(data)
    result = run("build", "--board", root)
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines()[-1] == f"Error: content/images/{name}: {message}"
    assert "Traceback" not in result.output
    assert snapshot(root / "output") == before
    with pytest.raises(ImageError):
        build_board(root, render_with_pelican)


def test_folders_inside_content_images_are_refused(make_board, today):
    root = make_board()
    (root / "content" / "images" / "holiday").mkdir(parents=True)
    with pytest.raises(ImageError, match=r"^content/images/holiday: images go straight into"):
        build_board(root, render_with_pelican)


def test_modes_are_stored_sensibly():
    # Transparency in a JPEG becomes white, not black.
    buffer = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 0, 0, 0)).save(buffer, "PNG")
    with Image.open(io.BytesIO(reencode(buffer.getvalue(), "clear.jpg"))) as image:
        assert image.mode == "RGB" and min(image.getpixel((1, 1))) > 245
    # A palette picture with a transparent colour keeps both in PNG and GIF.
    palette = Image.new("P", (4, 4), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0])
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", transparency=1)
    for name in ("p.png", "p.gif"):
        with Image.open(io.BytesIO(reencode(buffer.getvalue(), name))) as image:
            assert image.mode == "P" and image.convert("RGBA").getpixel((0, 0))[3] == 0
    # A CMYK JPEG (from print software) is published as RGB.
    buffer = io.BytesIO()
    Image.new("CMYK", (4, 4), (0, 255, 255, 0)).save(buffer, "JPEG")
    assert metadata_found(buffer.getvalue(), "c.jpg")  # Adobe's APP14 marker
    with Image.open(io.BytesIO(reencode(buffer.getvalue(), "c.jpg"))) as image:
        red, green, blue = image.getpixel((1, 1))
        assert image.mode == "RGB" and red > 200 and green < 60 and blue < 60
