"""What a sent file really is, decided from its bytes; images come out re-encoded.

Plain Python (no Flask): a refused file raises `Refused` with a reason code that the
views turn into a translated sentence (webapp.uploads.errors).

Images are decoded with Pillow and written again from their pixels: EXIF (GPS),
comments and anything appended after the image cannot survive, and a polyglot
(image + HTML or ZIP) is refused before that. A PDF must be whole (`%PDF-` … `%%EOF`)
without another format in it, and is then rebuilt from its pages through an allow-list
(webapp.uploads.pdf_rebuild) in a child process with bounded memory and time: what is
stored is that new file, never the bytes sent.
"""
import io
import os
import signal
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from webapp.uploads import pdf_rebuild
from webapp.uploads.pdf_rebuild import foreign

MAX_BYTES = 5 * 1024 * 1024  # 5 Mo
MAX_PIXELS = 40_000_000  # 40 Mpx: a 4000 × 10 000 scan is fine, a decompression bomb is not

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
EXTENSIONS = {JPEG: "jpg", PNG: "png", PDF: "pdf"}
IMAGE_TYPES = (JPEG, PNG)
ALL_TYPES = (JPEG, PNG, PDF)

PDF_SECONDS = 20  # wall-clock time for rebuilding one PDF (its child process is then killed)
REBUILDER = str(Path(pdf_rebuild.__file__))


class Refused(ValueError):
    """The file is not accepted; `reason` is one of REASONS."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


REASONS = ("empty", "too_big", "type", "photo_type", "pixels", "damaged", "trailing", "active_pdf", "polyglot",
           "encrypted", "pages", "pdf_limits", "unsupported", "rebuilt_too_big")


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
    if foreign(data, image=True):
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
def rebuild_pdf(data: bytes) -> bytes:
    """A new PDF made of the pages of this one (webapp.uploads.pdf_rebuild), in a bounded child process."""
    try:
        answer = subprocess.run(
            [sys.executable, "-I", REBUILDER], input=data, capture_output=True, timeout=PDF_SECONDS,
            env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"}, check=False)  # none of the app's secrets
    except subprocess.TimeoutExpired:
        raise Refused("pdf_limits") from None
    head, _, body = answer.stdout.partition(b"\n")
    if head == b"OK" and body.startswith(b"%PDF-"):
        return body
    reason = head.removeprefix(b"NO ").decode("ascii", "replace")
    if head.startswith(b"NO ") and reason in REASONS:
        raise Refused(reason)
    if answer.returncode in (-signal.SIGSEGV, -signal.SIGBUS, -signal.SIGFPE, -signal.SIGILL):
        raise Refused("damaged")  # qpdf or a decoder crashed on these bytes
    raise Refused("pdf_limits")  # stopped by its memory or CPU limit before it could answer


def check_pdf(data: bytes) -> bytes:
    """The PDF to store: rebuilt from its pages, when the bytes sent are a whole PDF and nothing else."""
    if not data.rstrip(b"\r\n\t \x00").endswith(b"%%EOF"):
        raise Refused("damaged")
    if foreign(data):  # an archive or a web page appended or hidden in it: not a plain document
        raise Refused("polyglot")
    rebuilt = rebuild_pdf(data)
    if len(rebuilt) > MAX_BYTES:
        raise Refused("rebuilt_too_big")
    return rebuilt


def safe_name(name: str | None, extension: str) -> str:
    """The name the family gave, without folders or control characters, ending with the real extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*;')
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base.strip(" .")
    stem = stem[:100] or "fichier"
    return f"{stem}.{extension}"
