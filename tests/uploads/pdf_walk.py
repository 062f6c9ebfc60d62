"""Read a stored PDF back on its own (pikepdf, every object, every decoded stream) and list what it holds.

Independent of webapp.uploads.pdf_rebuild on purpose: its own lists, its own walk.
"""
import io
import re

import pikepdf

ACTIVE_KEYS = {"/A", "/AA", "/OpenAction", "/JS", "/JavaScript", "/Names", "/EmbeddedFiles", "/EF", "/AcroForm",
               "/XFA", "/Annots", "/URI", "/Metadata", "/PieceInfo", "/Outlines", "/OPI", "/Ref", "/Info",
               "/Encrypt", "/FS", "/Properties"}
ACTIVE_NAMES = {"/JavaScript", "/Launch", "/URI", "/GoTo", "/GoToR", "/GoToE", "/SubmitForm", "/ImportData",
                "/Rendition", "/EmbeddedFile", "/Filespec", "/Annot", "/Screen", "/Widget", "/Link",
                "/FileAttachment", "/RichMedia"}
SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"app.alert", b"exportDataObject", b"cmd.exe", b"attacker",
              b"<script", b"xmpmeta", b"Famille Martin")


def found(data: bytes) -> dict[str, set]:
    """{"keys": forbidden keys, "names": forbidden names, "signatures": what streams or raw bytes contain}."""
    seen = {"keys": set(), "names": set(), "signatures": {s for s in SIGNATURES if s in data}}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert not pdf.is_encrypted
        objects = [pdf.trailer] + list(pdf.objects)
        for obj in objects:
            _walk(obj, seen, 0)
            if isinstance(obj, pikepdf.Stream):
                try:
                    body = obj.read_bytes(pikepdf.StreamDecodeLevel.specialized)
                except pikepdf.PdfError:  # DCT: its raw bytes are the JPEG
                    body = obj.read_raw_bytes()
                seen["signatures"] |= {s for s in SIGNATURES if s in body}
    return seen


# Dictionaries whose keys are the producer's own names (a font called /A is not an action).
FREE_NAMES = {"/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/CharProcs"}


def _walk(obj, seen, depth, free_keys=False):
    assert depth < 200
    if isinstance(obj, pikepdf.Name):
        if str(obj) in ACTIVE_NAMES:
            seen["names"].add(str(obj))
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            _walk(item, seen, depth + 1)
    elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        if obj.is_indirect and depth > 0:
            return  # walked on its own
        for key in obj.keys():
            if key in ACTIVE_KEYS and not free_keys:
                seen["keys"].add(key)
            _walk(obj.get(key), seen, depth + 1, key in FREE_NAMES and not free_keys)


def assert_inert(data: bytes) -> None:
    assert found(data) == {"keys": set(), "names": set(), "signatures": set()}


def page_count(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _unicode_map(font) -> dict[int, str] | None:
    if "/ToUnicode" not in font:
        return None
    cmap = font.ToUnicode.read_bytes(pikepdf.StreamDecodeLevel.specialized)
    return {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
            for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S) for code, text in _PAIR.findall(block)}


def text(data: bytes) -> str:
    """What each page shows (one line per string), read with pikepdf: core fonts as Latin-1, others via ToUnicode."""
    lines = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            fonts = page.obj.Resources.get("/Font", pikepdf.Dictionary())
            mapping = None
            for operands, operator in pikepdf.parse_content_stream(page):
                if operator == pikepdf.Operator("Tf"):
                    mapping = _unicode_map(fonts[operands[0]])
                elif operator in (pikepdf.Operator("Tj"), pikepdf.Operator("TJ")):
                    strings = operands[0] if operator == pikepdf.Operator("TJ") else [operands[0]]
                    raw = b"".join(bytes(s) for s in strings if isinstance(s, pikepdf.String))
                    lines.append(raw.decode("latin-1") if mapping is None else "".join(
                        mapping.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw) - 1, 2)))
    return "\n".join(lines).replace("\u202f", " ").replace("\xa0", " ")
