"""Read back the text of a PDF made by webapp.pdf with compression off (tests only; no pypdf here).

fpdf2 writes DejaVu text as 2-byte glyph ids in literal strings (`(\\000\\001) Tj`), with one
ToUnicode CMap per font; this maps the ids back to characters, font by font. Each shown
string becomes one line. Good enough for « does the page say 120,60 € ».
"""
import re

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_FONT_REF = re.compile(rb"/(F\d+) (\d+) 0 R")
_TOUNICODE = re.compile(rb"/ToUnicode (\d+) 0 R")
_BFCHAR = re.compile(rb"beginbfchar\s*(.*?)\s*endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_TOKEN = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i:i + 1] == b"\\":
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            out += _ESCAPES.get(raw[i + 1:i + 2], raw[i + 1:i + 2])
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), "not a PDF"
    objects = {int(n): body for n, body in _OBJ.findall(data)}
    maps: dict[str, dict[int, str]] = {}
    for name, ref in set(_FONT_REF.findall(data)):
        unicode_ref = _TOUNICODE.search(objects.get(int(ref), b""))
        if unicode_ref is None:
            continue
        mapping = {}
        for block in _BFCHAR.findall(objects[int(unicode_ref.group(1))]):
            for glyph, uni in _PAIR.findall(block):
                mapping[int(glyph, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
        maps[name.decode()] = mapping
    lines, font = [], {}
    for font_name, string in _TOKEN.findall(data):
        if font_name:
            font = maps.get(font_name.decode(), {})
            continue
        raw = _unescape(string)
        lines.append("".join(font.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw) - 1, 2)))
    return "\n".join(lines).replace("\u202f", " ").replace("\xa0", " ")
