"""Real files made on the spot for the upload tests: photos with GPS, bombs, polyglots, plain PDFs."""
import io
import struct
import zlib

from fpdf import FPDF
from PIL import Image


def jpeg(width=64, height=48, exif_gps=False, orientation=None) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    if exif_gps:
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # GPSInfo: Paris
        exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes() if (exif_gps or orientation) else b"")
    return out.getvalue()


def png(width=32, height=32) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 255, 255)).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width=20_000, height=20_000) -> bytes:
    """A tiny PNG claiming 400 million pixels (decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * width
    data = zlib.compress(row * 50, 9)  # only the start: the header alone must get it refused
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def zip_file() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
    return out.getvalue()


def pdf(text="Règlement intérieur de la cantine") -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text.encode("latin-1", "replace").decode("latin-1"))
    return bytes(document.output())


def pdf_with_javascript() -> bytes:
    """A real page whose opening runs a script (/OpenAction /JavaScript)."""
    from tests.uploads import hostile_pdfs

    return hostile_pdfs.with_open_action("JavaScript")


def pdf_with_zip_appended() -> bytes:
    """A PDF with a compressed docx-like archive after it (no readable text: only the ZIP records show)."""
    from tests.uploads import hostile_pdfs

    return pdf() + hostile_pdfs.zip_archive() + b"\n%%EOF\n"


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
