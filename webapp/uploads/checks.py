"""What a sent file really is, decided from its bytes; images come out re-encoded.

Plain Python (no Flask): a refused file raises `Refused` with a reason code that the
views turn into a translated sentence (webapp.uploads.errors).

Images are decoded with Pillow and written again from their pixels: EXIF (GPS),
comments and anything appended after the image cannot survive, and a polyglot
(image + HTML or ZIP) is refused before that. PDFs cannot be re-encoded without a PDF
library, so they are checked: header, trailer, no active content (JavaScript, launch
actions, embedded files), no other format's signature; compressed streams are looked
into too.
"""
import io
import re
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024  # 5 Mo
MAX_PIXELS = 40_000_000  # 40 Mpx: a 4000 × 10 000 scan is fine, a decompression bomb is not
MAX_INFLATED = 50 * 1024 * 1024  # total of the PDF's decompressed streams we look into

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
EXTENSIONS = {JPEG: "jpg", PNG: "png", PDF: "pdf"}
IMAGE_TYPES = (JPEG, PNG)
ALL_TYPES = (JPEG, PNG, PDF)

# Another format hidden in the file: a ZIP (or docx, jar…), HTML, a Windows program.
FOREIGN_SIGNATURES = (b"PK\x03\x04", b"<html", b"<script", b"<!doctype html", b"<svg", b"<iframe")
# In an image's compressed pixels 4 random bytes match now and then: only the long ones there
# (what is appended after the image is refused anyway, and re-encoding drops the rest).
IMAGE_FOREIGN_SIGNATURES = (b"<html", b"<script", b"<!doctype html", b"<iframe")
ACTIVE_PDF_NAMES = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|ImportData|SubmitForm)(?![A-Za-z0-9])")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)


class Refused(ValueError):
    """The file is not accepted; `reason` is one of REASONS."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


REASONS = ("empty", "too_big", "type", "photo_type", "pixels", "damaged", "trailing", "active_pdf", "polyglot")


@dataclass(frozen=True)
class CleanFile:
    content_type: str
    data: bytes

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def clean(data: bytes, *, allowed: tuple[str, ...] = ALL_TYPES) -> CleanFile:
    """The file to store (re-encoded when an image), or `Refused`."""
    if not data:
        raise Refused("empty")
    if len(data) > MAX_BYTES:
        raise Refused("too_big")
    if data.startswith(b"%PDF-"):
        if PDF not in allowed:
            raise Refused("photo_type")
        return CleanFile(PDF, check_pdf(data))
    try:
        cleaned = reencode_image(data)
    except Refused as refused:
        if refused.reason == "type" and PDF not in allowed:
            raise Refused("photo_type") from None  # a photo field says what it takes
        raise
    if cleaned.content_type not in allowed:
        raise Refused("photo_type" if PDF not in allowed else "type")
    return cleaned


def _foreign(data: bytes, signatures=FOREIGN_SIGNATURES) -> bool:
    lowered = data.lower()
    return any(signature in lowered for signature in signatures)


# --- images -------------------------------------------------------------------------------
def _ends_where_the_image_ends(data: bytes, kind: str) -> bool:
    if kind == "JPEG":
        return data.endswith(b"\xff\xd9")  # End Of Image marker, nothing after it
    return data.endswith(b"IEND\xaeB`\x82")  # the IEND chunk and its CRC


def reencode_image(data: bytes) -> CleanFile:
    """Decode a JPEG or PNG entirely and write it again: fresh bytes, no metadata."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG"))
            kind = image.format
            if image.width * image.height > MAX_PIXELS:
                raise Refused("pixels")
            image.load()  # a truncated or damaged file fails here
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("pixels") from None
    except UnidentifiedImageError:
        raise Refused("type") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise Refused("damaged") from None
    if not _ends_where_the_image_ends(data, kind):
        raise Refused("trailing")
    if _foreign(data, IMAGE_FOREIGN_SIGNATURES):
        raise Refused("polyglot")
    image = ImageOps.exif_transpose(image)  # the photo stays upright once EXIF is gone
    out = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
        return CleanFile(JPEG, out.getvalue())
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    image.save(out, "PNG", optimize=True)
    return CleanFile(PNG, out.getvalue())


# --- PDF ----------------------------------------------------------------------------------
def _inflated_streams(data: bytes):
    """The decompressed content of the PDF's Flate streams, within MAX_INFLATED in all."""
    budget = MAX_INFLATED
    for match in PDF_STREAM.finditer(data):
        if budget <= 0:
            raise Refused("damaged")  # more compressed content than any form or rules need
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate (an image's DCT stream…): its bytes were scanned raw already
        budget -= len(chunk)
        yield chunk


def _active(data: bytes) -> bool:
    normalised = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)  # /J#53 is /JS
    return ACTIVE_PDF_NAMES.search(normalised) is not None


def check_pdf(data: bytes) -> bytes:
    """The PDF itself when it is plain (no script, no launcher, no attachment, no polyglot)."""
    if not data.rstrip(b"\r\n\t \x00").endswith(b"%%EOF"):
        raise Refused("damaged")
    if _foreign(data):
        raise Refused("polyglot")
    if _active(data):
        raise Refused("active_pdf")
    for chunk in _inflated_streams(data):
        if _active(chunk):
            raise Refused("active_pdf")
        if _foreign(chunk):
            raise Refused("polyglot")
    return data


def safe_name(name: str | None, extension: str) -> str:
    """The name the family gave, without folders or control characters, ending with the real extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*;')
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base.strip(" .")
    stem = stem[:100] or "fichier"
    return f"{stem}.{extension}"
