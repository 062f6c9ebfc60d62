"""A new PDF built from the pages of an uploaded one, through an allow-list: nothing else of the file survives.

Run as a child process by webapp.uploads.checks (`python -I pdf_rebuild.py`, the PDF on stdin): it
answers `OK\\n` followed by the new PDF on stdout, or `NO <reason>\\n`. It is self-contained (standard
library, pikepdf, Pillow) because it runs isolated, without the app's path, environment or secrets,
under an address-space, CPU and file-size limit: qpdf is C++ reading hostile bytes.

What is kept: each page's boxes, rotation, content (parsed and written again: comments and stray
bytes go) and resources (fonts, images, form XObjects, graphics states, colour spaces, patterns,
shadings), copied object by object. Every stream is decoded and written again (Flate); JPEG and
JPEG 2000 images are decoded with Pillow and encoded again as JPEG (fresh bytes: no APP segments,
comments or data after the image). Annotations with an appearance (filled form fields, stamps) are
first drawn into the page, then dropped. Nothing of the catalog (actions, names, attachments,
JavaScript, forms/XFA, outlines, metadata), no annotation, no document information, no encryption.
The written file is read again and walked: a forbidden key or name, or another format's signature
in a stream, and it is refused.
"""
import io
import resource
import sys

import pikepdf
from PIL import Image
from pikepdf import Array, Dictionary, Name, Stream

MAX_PAGES = 30
MAX_DECODED = 200 * 1024 * 1024  # decoded streams, all together: a Flate bomb stops here or at MEMORY
MAX_IMAGE_PIXELS = 40_000_000  # the rule of image uploads
MEMORY = 1024 * 1024 * 1024  # address space of the child
CPU_SECONDS = 30  # the parent's wall-clock timeout (checks.PDF_SECONDS) is shorter
JPEG_QUALITY = 85
NESTING = 60  # objects within objects: deeper is not a document, it is a stack attack

PAGE_KEYS = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/Rotate", "/UserUnit")
INHERITED = ("/MediaBox", "/CropBox", "/Rotate", "/Resources")
RESOURCE_KEYS = ("/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/ProcSet")
# Inside resources: keys that act, point outside the file, carry files, metadata or hidden layers.
DROPPED_KEYS = frozenset((
    "/A", "/AA", "/OpenAction", "/JS", "/JavaScript", "/URI", "/Names", "/EmbeddedFiles", "/EF", "/FS",
    "/F", "/FFilter", "/FDecodeParms", "/Metadata", "/PieceInfo", "/OPI", "/Ref", "/Alternates", "/OC",
    "/AcroForm", "/XFA", "/Annots", "/Parent", "/Kids", "/StructParent", "/StructParents", "/Outlines",
    "/Threads", "/SMaskInData",
))
# Dictionaries that have no business inside a page's resources, whatever key points at them.
DROPPED_TYPES = frozenset(("/Catalog", "/Pages", "/Page", "/Annot", "/Action", "/Filespec", "/EmbeddedFile",
                           "/Outlines", "/Sig", "/XRef", "/ObjStm", "/Metadata"))
ACTIONS = frozenset(("/JavaScript", "/Launch", "/URI", "/GoTo", "/GoToR", "/GoToE", "/GoTo3DView", "/SubmitForm",
                     "/ImportData", "/ResetForm", "/Hide", "/Named", "/Rendition", "/RichMediaExecute", "/Movie",
                     "/Sound", "/Thread", "/SetOCGState", "/Trans"))
STREAM_KEYS_REWRITTEN = ("/Filter", "/DecodeParms", "/Length", "/DL")
SPECIALISED_FILTERS = frozenset(("/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"))

# What the written file is checked for (a second, separate pass over the result).
FORBIDDEN_KEYS = frozenset(("/A", "/AA", "/OpenAction", "/JS", "/JavaScript", "/Names", "/EmbeddedFiles", "/EF",
                            "/AcroForm", "/XFA", "/Annots", "/URI", "/Metadata", "/Launch", "/PieceInfo", "/Outlines"))
FORBIDDEN_NAMES = frozenset(ACTIONS - {"/Trans"} | {"/JS", "/EmbeddedFile", "/Filespec", "/RichMedia", "/XFA"})
NAMED_ENTRIES = frozenset(RESOURCE_KEYS + ("/CharProcs",))  # dictionaries written direct by Rebuild
ZIP_LOCAL, ZIP_END = b"PK\x03\x04", b"PK\x05\x06"
TEXT_SIGNATURES = (b"<html", b"<script", b"<!doctype html", b"<svg", b"<iframe")
IMAGE_TEXT_SIGNATURES = (b"<html", b"<script", b"<!doctype html", b"<iframe")  # "<svg" is too short there


class Refused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def foreign(data: bytes, *, image: bool = False) -> bool:
    """Another format in these bytes: a ZIP (docx, jar…), HTML, SVG. Signatures are matched as they are
    written: a ZIP's first and last records (both: four random bytes match now and then in compressed
    data, eight in the right places do not), tags whatever their case. In an image "<svg" is too short.
    """
    if ZIP_LOCAL in data and ZIP_END in data:
        return True
    lowered = data.lower()
    return any(signature in lowered for signature in (IMAGE_TEXT_SIGNATURES if image else TEXT_SIGNATURES))


def _filters(stream: Stream) -> set[str]:
    value = stream.get("/Filter")
    if value is None:
        return set()
    return {str(value)} if isinstance(value, Name) else {str(name) for name in value}


class Rebuild:
    """Copies the allowed part of `source` into a new document, object by object, once per object."""

    def __init__(self, source: pikepdf.Pdf):
        self.source = source
        self.target = pikepdf.Pdf.new()
        self.copies: dict[tuple[int, int], object] = {}
        self.decoded = 0

    def run(self) -> pikepdf.Pdf:
        for page in self.source.pages:
            self.target.pages.append(pikepdf.Page(self.page(page.obj)))
        return self.target

    def _count(self, data: bytes) -> bytes:
        self.decoded += len(data)
        if self.decoded > MAX_DECODED:
            raise Refused("pdf_limits")
        return data

    def page(self, page: Dictionary) -> Dictionary:
        new = Dictionary(Type=Name.Page)
        for key in PAGE_KEYS:
            value = _inherited(page, key) if key in INHERITED else page.get(key)
            copied = None if value is None else self.value(value, 1)
            if copied is not None:
                new[key] = copied
        resources = _inherited(page, "/Resources")
        new.Resources = self.resources(resources, 1)
        new.Contents = self.target.make_stream(self._count(self.content(page)))
        return new

    def content(self, holder) -> bytes:
        """A content stream parsed into operators and written again: comments and stray bytes do not survive."""
        try:
            return pikepdf.unparse_content_stream(pikepdf.parse_content_stream(holder))
        except MemoryError:
            raise Refused("pdf_limits") from None
        except pikepdf.PdfError as error:
            raise Refused(_decoding_failure(error)) from None

    def resources(self, resources, depth: int) -> Dictionary:
        new = Dictionary()
        if not isinstance(resources, Dictionary):
            return new
        for key in RESOURCE_KEYS:
            value = resources.get(key)
            if isinstance(value, Dictionary):  # the producer's names (/F1, /A, /Im0…) are kept, whatever they are
                named = Dictionary()
                for name in value.keys():
                    copied = self.value(value[name], depth + 2)
                    if copied is not None:
                        named[name] = copied
                new[key] = named
            elif value is not None:
                new[key] = self.value(value, depth + 1)  # /ProcSet
        return new

    def value(self, obj, depth: int):
        if depth > NESTING:
            raise Refused("damaged")
        if not isinstance(obj, pikepdf.Object):
            return obj  # int, Decimal, bool: plain values
        if isinstance(obj, (Name, pikepdf.String)) or obj._type_code == pikepdf.ObjectType.null:
            return obj
        key = obj.objgen if obj.is_indirect else None
        if key in self.copies:
            return self.copies[key]
        if isinstance(obj, Array):
            return Array([self.value(item, depth + 1) for item in obj])  # None is written as null
        if isinstance(obj, Stream):
            return self.stream(obj, key, depth)
        if isinstance(obj, Dictionary):
            return self.dictionary(obj, key, depth)
        return None  # an operator or anything else that is not document data

    def _kept(self, obj) -> bool:
        kind, action = obj.get("/Type"), obj.get("/S")
        return not ((kind is not None and str(kind) in DROPPED_TYPES)
                    or (isinstance(action, Name) and str(action) in ACTIONS))

    def _copy_keys(self, source, target, depth: int, skip=()) -> None:
        for key in source.keys():
            if key in DROPPED_KEYS or key in skip:
                continue
            if key == "/Resources":
                target[key] = self.resources(source[key], depth + 1)
            elif key == "/CharProcs" and isinstance(source[key], Dictionary):  # a Type 3 font's glyphs
                glyphs = Dictionary()
                for name in source[key].keys():
                    glyph = source[key][name]
                    if isinstance(glyph, Stream):
                        glyphs[name] = self.target.make_stream(self._count(self.content(glyph)))
                target[key] = glyphs
            else:
                value = self.value(source[key], depth + 1)
                if value is not None:  # a dropped object leaves no key behind
                    target[key] = value

    def dictionary(self, obj: Dictionary, key, depth: int):
        if not self._kept(obj):
            return None
        new = Dictionary()
        if key is not None:
            new = self.target.make_indirect(new)
            self.copies[key] = new
        self._copy_keys(obj, new, depth)
        return new

    def stream(self, obj: Stream, key, depth: int):
        if not self._kept(obj):
            return None
        new = self.target.make_stream(b"")
        if key is not None:
            self.copies[key] = new
        subtype = obj.get("/Subtype")
        if subtype == Name.Image:
            self.image(obj, new, depth)
            return new
        if subtype == Name.Form or obj.get("/PatternType") == 1:  # content streams of their own
            data = self.content(obj)
        elif _filters(obj) & SPECIALISED_FILTERS:
            raise Refused("unsupported")
        else:
            data = _decoded(obj)
        new.write(self._count(data))
        self._copy_keys(obj, new, depth, skip=STREAM_KEYS_REWRITTEN)
        return new

    def image(self, obj: Stream, new: Stream, depth: int) -> None:
        width, height = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
        if width <= 0 or height <= 0:
            raise Refused("damaged")
        if width * height > MAX_IMAGE_PIXELS:
            raise Refused("pdf_limits")
        if not _filters(obj) & SPECIALISED_FILTERS:
            new.write(self._count(_decoded(obj)))
            self._copy_keys(obj, new, depth, skip=STREAM_KEYS_REWRITTEN)
            return
        try:  # JPEG, JPEG 2000, fax: decoded to pixels, whatever they held besides
            picture = pikepdf.PdfImage(obj).as_pil_image(apply_decode_array=True, apply_mask=False)
            picture.load()
        except Exception:  # noqa: BLE001 - any failure to decode (JBIG2 without jbig2dec…) is a refusal
            raise Refused("unsupported") from None
        self.decoded += width * height * len(picture.getbands())
        if self.decoded > MAX_DECODED:
            raise Refused("pdf_limits")
        rewritten = ("/ColorSpace", "/BitsPerComponent", "/Decode") + STREAM_KEYS_REWRITTEN
        if picture.mode == "1":  # black and white: 1 bit per pixel, packed as PDF packs it
            new.write(picture.tobytes())
            if not obj.get("/ImageMask", False):
                new.ColorSpace = Name.DeviceGray
            new.BitsPerComponent = 1
        else:
            if picture.mode not in ("L", "RGB"):
                picture = picture.convert("RGB")
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            new.write(out.getvalue(), filter=Name.DCTDecode)
            new.ColorSpace = Name.DeviceGray if picture.mode == "L" else Name.DeviceRGB
            new.BitsPerComponent = 8
            rewritten += ("/ImageMask",)
        self._copy_keys(obj, new, depth, skip=rewritten)


def _decoded(stream: Stream) -> bytes:
    """The stream's data with every lossless filter undone (RunLength is a "specialised" one for qpdf)."""
    try:
        return stream.read_bytes(pikepdf.StreamDecodeLevel.specialized)
    except MemoryError:
        raise Refused("pdf_limits") from None
    except pikepdf.DataDecodingError as error:
        raise Refused(_decoding_failure(error)) from None
    except (pikepdf.PdfError, NotImplementedError):
        raise Refused("unsupported") from None  # a filter qpdf does not undo (JBIG2, Crypt…)


def _decoding_failure(error: Exception) -> str:
    return "pdf_limits" if "bad_alloc" in str(error) else "damaged"  # qpdf hit the address-space limit


def _inherited(page: Dictionary, key: str):
    """A page's own value, or its nearest /Pages ancestor's (boxes, rotation and resources are inherited)."""
    node, seen = page, set()
    while isinstance(node, Dictionary) and len(seen) < NESTING:
        if key in node:
            return node[key]
        seen.add(node.objgen)
        node = node.get("/Parent")
        if isinstance(node, Dictionary) and node.objgen in seen:
            break
    return None


def verify(data: bytes, pages: int) -> None:
    """Read the written file again and walk every object and decoded stream: nothing forbidden is left."""
    with pikepdf.open(io.BytesIO(data)) as written:
        if len(written.pages) != pages or written.is_encrypted:
            raise Refused("damaged")
        for obj in [written.trailer] + list(written.objects):
            if isinstance(obj, pikepdf.Dictionary) or isinstance(obj, Stream):
                _verify_object(obj, 0)
            if isinstance(obj, Stream):
                is_image = obj.get("/Subtype") == Name.Image
                body = obj.read_raw_bytes() if _filters(obj) & SPECIALISED_FILTERS else _decoded(obj)
                if foreign(body, image=is_image):
                    raise Refused("polyglot")


def _verify_object(obj, depth: int, *, names_are_free: bool = False) -> None:
    """`names_are_free`: the keys are the producer's names (resources, Type 3 glyphs: /A is the letter A)."""
    if depth > NESTING:
        raise Refused("damaged")
    for key in obj.keys():
        if key in FORBIDDEN_KEYS and not names_are_free:
            raise Refused("active_pdf")
        value = obj.get(key)
        if key in NAMED_ENTRIES and isinstance(value, Dictionary) and not value.is_indirect:
            _verify_object(value, depth + 1, names_are_free=True)
        else:
            _verify_value(value, depth + 1)


def _verify_value(value, depth: int) -> None:
    if isinstance(value, Name):
        if str(value) in FORBIDDEN_NAMES:
            raise Refused("active_pdf")
    elif isinstance(value, Array):
        for item in value:
            _verify_value(item, depth + 1)
    elif isinstance(value, (Dictionary, Stream)) and not value.is_indirect:
        _verify_object(value, depth + 1)  # indirect ones are walked on their own


def rebuild(data: bytes) -> bytes:
    try:
        source = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise Refused("encrypted") from None
    except pikepdf.PdfError:
        raise Refused("damaged") from None
    with source:
        pages = len(source.pages)
        if pages == 0:
            raise Refused("damaged")
        if pages > MAX_PAGES:
            raise Refused("pages")
        try:
            source.flatten_annotations("screen")  # filled form fields and stamps become page content
        except pikepdf.PdfError:
            pass  # annotations are dropped anyway
        target = Rebuild(source).run()
        out = io.BytesIO()
        target.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                    stream_decode_level=pikepdf.StreamDecodeLevel.generalized, fix_metadata_version=False,
                    deterministic_id=True)
    written = out.getvalue()
    verify(written, pages)
    return written


def _limit_self() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # writes no file (stdout is a pipe)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


def main() -> int:
    _limit_self()
    data = sys.stdin.buffer.read()
    try:
        result = b"OK\n" + rebuild(data)
    except Refused as refused:
        result = f"NO {refused.reason}\n".encode()
    except MemoryError:
        result = b"NO pdf_limits\n"
    except (pikepdf.PdfError, RecursionError, ValueError, TypeError, KeyError, OSError):
        result = b"NO damaged\n"
    sys.stdout.buffer.write(result)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
