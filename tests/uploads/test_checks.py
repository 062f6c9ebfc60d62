"""webapp.uploads.checks on real files: what is accepted, what comes out, what is refused and why."""
import io

import pytest
from PIL import Image

from tests.uploads import files, pdf_walk
from webapp.uploads import checks
from webapp.uploads.checks import Refused, clean


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(Refused) as caught:
        clean(data, **kwargs)
    return caught.value.reason


def test_a_jpeg_with_gps_is_reencoded_without_any_exif():
    original = files.jpeg(exif_gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the test file really has GPS
    cleaned = clean(original)
    assert cleaned.content_type == "image/jpeg" and cleaned.data != original
    image = Image.open(io.BytesIO(cleaned.data))
    assert not image.getexif() and b"Exif" not in cleaned.data and b"PhoneMaker" not in cleaned.data
    assert image.size == (64, 48)


def test_orientation_is_applied_before_exif_is_dropped():
    cleaned = clean(files.jpeg(width=64, height=48, orientation=6))  # "rotate 90°": a portrait photo
    assert Image.open(io.BytesIO(cleaned.data)).size == (48, 64)


def test_png_is_reencoded():
    cleaned = clean(files.png())
    assert cleaned.content_type == "image/png" and Image.open(io.BytesIO(cleaned.data)).format == "PNG"


def test_a_plain_pdf_is_stored_rebuilt_not_as_sent():
    """Issue 15: the README said uploads are re-encoded; PDFs were kept as sent. Now a new file, same page."""
    data = files.pdf()
    cleaned = clean(data)
    assert cleaned.content_type == "application/pdf" and cleaned.data != data
    assert "Règlement intérieur de la cantine" in pdf_walk.text(cleaned.data)
    pdf_walk.assert_inert(cleaned.data)


def test_empty_file():
    assert refusal(b"") == "empty"


def test_oversized_file():
    assert refusal(files.pdf() + b"\n" * (checks.MAX_BYTES + 1)) == "too_big"


def test_pixel_bomb_is_refused_from_its_header():
    bomb = files.png_bomb()
    assert len(bomb) < 100_000
    assert refusal(bomb) == "pixels"


def test_jpeg_with_a_zip_appended_is_refused():
    assert refusal(files.jpeg() + files.zip_file()) == "trailing"


def test_png_with_html_appended_is_refused():
    assert refusal(files.png() + b"<html><script>alert(1)</script></html>") == "trailing"


def test_pdf_with_html_inside_is_refused():
    polyglot = files.pdf().replace(b"%%EOF", b"<html><script>alert(1)</script></html>\n%%EOF")
    assert refusal(polyglot) == "polyglot"


def test_pdf_with_a_zip_is_refused():
    assert refusal(files.pdf() + files.zip_file() + b"\n%%EOF") == "polyglot"


def test_foreign_check_finds_a_zip_without_any_html_in_it():
    """Issue 15 point 2: `_foreign()` lower-cased the data, then looked for b"PK\\x03\\x04": never found."""
    assert refusal(files.pdf_with_zip_appended()) == "polyglot"


def test_pdf_with_javascript_comes_out_without_it():
    """Was refused only when the script was readable; now no action of the catalog survives, whatever its filter."""
    data = files.pdf_with_javascript()
    assert pdf_walk.found(data)["keys"] >= {"/OpenAction", "/JS"}
    pdf_walk.assert_inert(clean(data).data)


def test_escaped_names_do_not_hide_an_action():
    data = files.pdf_with_javascript().replace(b"/S /JavaScript", b"/S /J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/J#53" in data and b"/J#61vaScript" in data
    pdf_walk.assert_inert(clean(data).data)


def test_a_pdf_without_a_page_is_refused():
    data = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    assert refusal(data) == "damaged"


@pytest.mark.parametrize("name", [b"/Launch", b"/EmbeddedFile", b"/EmbeddedFiles"])
def test_pdf_with_launch_or_embedded_files_comes_out_without_them(name):
    data = files.pdf().replace(b"/Type /Catalog", b"/Type /Catalog " + name + b" 3 0 R", 1)
    assert name in data
    pdf_walk.assert_inert(clean(data).data)


def test_pdf_without_its_end_is_refused():
    assert refusal(files.pdf()[:-200]) == "damaged"


def test_a_renamed_exe_is_refused_whatever_its_name():
    assert refusal(files.EXE) == "type"


def test_a_truncated_jpeg_is_refused():
    assert refusal(files.jpeg(width=400, height=300)[:-300]) in ("damaged", "trailing")


def test_photos_take_jpeg_and_png_only():
    assert refusal(files.pdf(), allowed=checks.IMAGE_TYPES) == "photo_type"
    assert refusal(files.EXE, allowed=checks.IMAGE_TYPES) == "photo_type"
    assert clean(files.png(), allowed=checks.IMAGE_TYPES).content_type == "image/png"


@pytest.mark.parametrize("given, expected", [
    ("../../etc/passwd", "passwd.pdf"), ("C:\\Users\\x\\photo.exe", "photo.pdf"), ("", "fichier.pdf"),
    ("règlement 2025.PDF", "règlement 2025.pdf"), ("a\x00b<script>.pdf", "abscript.pdf"),
])
def test_safe_name(given, expected):
    assert checks.safe_name(given, "pdf") == expected


def test_other_image_formats_and_svg_are_refused():
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    assert refusal(gif.getvalue()) == "type"
    assert refusal(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') == "type"
