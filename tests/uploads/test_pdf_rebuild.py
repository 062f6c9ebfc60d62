"""Issue 15, point 1: a stored PDF is a new file built from an allow-list, never the bytes sent.

Each hostile file is built with pikepdf on a real page; what comes out is read back by tests.uploads.pdf_walk
(its own walk over every object and decoded stream): no action, script, attachment, form, metadata, nor
another format's bytes, and the page is still there. What cannot be rebuilt is refused with its reason.
"""
import io
import time
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from tests.helpers import imported_modules
from tests.uploads import files, hostile_pdfs, pdf_walk
from webapp.uploads import checks, pdf_rebuild
from webapp.uploads.checks import Refused, clean


def refusal(data: bytes) -> str:
    with pytest.raises(Refused) as caught:
        clean(data)
    return caught.value.reason


def stored(data: bytes) -> bytes:
    """The file kept for `data`, checked inert and with the page and its text."""
    out = clean(data)
    assert out.content_type == "application/pdf" and out.data != data
    pdf_walk.assert_inert(out.data)
    assert pdf_walk.page_count(out.data) == pdf_walk.page_count(data)
    assert "Certificat de scolarit" in pdf_walk.text(out.data)
    return out.data


FILTERS = [["/ASCIIHexDecode"], ["/ASCII85Decode"], ["/LZWDecode"], ["/RunLengthDecode"],
           ["/ASCIIHexDecode", "/FlateDecode"], ["/ASCII85Decode", "/LZWDecode", "/RunLengthDecode"]]


@pytest.mark.parametrize("filters", FILTERS, ids="+".join)
def test_a_script_behind_any_filter_is_dropped_and_the_page_content_decoded(filters):
    """The old check read raw and Flate bytes only: a script behind /ASCIIHexDecode or /LZWDecode went through."""
    data = hostile_pdfs.with_filtered_script(filters)
    assert hostile_pdfs.SCRIPT not in data or filters == ["/RunLengthDecode"]  # the bytes sent do not show it
    with pikepdf.open(io.BytesIO(data)) as sent:  # the hostile file really is what it says
        assert sent.Root.OpenAction.JS.read_bytes(pikepdf.StreamDecodeLevel.specialized) == hostile_pdfs.SCRIPT
    stored(data)


def test_an_open_action_inside_an_object_stream_is_dropped():
    data = hostile_pdfs.with_open_action("JavaScript", object_streams=True)
    assert b"/ObjStm" in data and b"/OpenAction" not in data  # compressed into the object stream
    stored(data)


@pytest.mark.parametrize("kind", hostile_pdfs.ACTION_KINDS)
def test_every_kind_of_action_is_dropped(kind):
    """/URI, /GoToR, /GoToE (a UNC path that leaks Windows credentials)… were not even looked for."""
    stored(hostile_pdfs.with_open_action(kind))
    stored(hostile_pdfs.with_document_and_page_aa(kind))


def test_annotations_with_actions_are_dropped_and_a_filled_field_stays_visible():
    data = stored(hostile_pdfs.with_annotations())
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        assert "/Annots" not in page.obj
        drawn = b"".join(form.read_bytes() for form in page.obj.Resources.XObject.values())
        assert b"Rempli" in drawn  # the widget's appearance was flattened into the page


def test_names_javascript_and_embedded_files_are_dropped():
    stored(hostile_pdfs.with_names_and_attachment())


def test_xfa_metadata_outlines_and_document_information_are_dropped():
    stored(hostile_pdfs.with_xfa_and_metadata())


def test_resources_cannot_carry_actions_files_or_the_catalog():
    stored(hostile_pdfs.with_resources_pointing_at_actions())


def test_a_zip_hidden_behind_a_content_comment_does_not_survive():
    data = hostile_pdfs.with_zip_in_a_comment()
    assert not checks.foreign(data)  # compressed: the bytes sent do not show it
    stored(data)


def test_a_zip_given_as_image_pixels_is_refused():
    """A stream that is kept (an image drawn on the page) holding an archive: refused, not stored."""
    data = hostile_pdfs.with_zip_as_image_pixels()
    assert not checks.foreign(data)
    assert refusal(data) == "polyglot"


def test_an_uncompressed_zip_in_a_stream_is_refused_from_the_bytes_sent():
    pdf = hostile_pdfs.base()
    pdf.Root.Hidden = pdf.make_stream(hostile_pdfs.zip_archive())
    assert refusal(hostile_pdfs.save(pdf)) == "polyglot"


def test_resources_named_like_actions_are_kept():
    """Resource names are the producer's: a font called /A (or /JS) is a font, not an action."""
    pdf = hostile_pdfs.base()
    page = pdf.pages[0].obj
    [(old_name, font)] = list(page.Resources.Font.items())
    page.Resources.Font = pikepdf.Dictionary({"/A": font, "/JS": font})
    page.Contents = pdf.make_stream(page.Contents.read_bytes().replace(old_name.encode() + b" ", b"/A "))
    stored(hostile_pdfs.save(pdf))


def scanned_certificate(pages=3) -> bytes:
    """Three A4 pages scanned at 200 dpi (JPEG, grain and all), put into a PDF as a scanner does."""
    images = []
    for number in range(pages):
        image = Image.effect_noise((1654, 2339), 20).convert("RGB").point(lambda v: 225 + v // 16)
        draw = ImageDraw.Draw(image)
        draw.rectangle((140, 150, 1500, 260), fill=(30, 30, 90))
        for line in range(35):
            draw.text((150, 320 + line * 55), f"Certificat de scolarite, page {number + 1}, ligne {line}",
                      fill=(10, 10, 40))
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=200, quality=80)
    return out.getvalue()


def test_a_scanned_certificate_comes_out_readable_with_all_its_pages():
    data = scanned_certificate()
    out = clean(data).data
    assert len(out) <= checks.MAX_BYTES and pdf_walk.page_count(out) == 3
    pdf_walk.assert_inert(out)
    with pikepdf.open(io.BytesIO(data)) as sent, pikepdf.open(io.BytesIO(out)) as kept:
        for before, after in zip(sent.pages, kept.pages):
            [original] = before.get_images().values()
            [rebuilt] = after.get_images().values()
            assert rebuilt.Filter == pikepdf.Name.DCTDecode and rebuilt.read_raw_bytes() != original.read_raw_bytes()
            a = pikepdf.PdfImage(original).as_pil_image().convert("L")
            b = pikepdf.PdfImage(rebuilt).as_pil_image().convert("L")
            assert a.size == b.size == (1654, 2339)
            band = (140, 150, 1500, 260)  # the dark title band is still dark, the paper still light
            assert max(b.crop(band).getextrema()) < 120 and b.crop((20, 300, 120, 2300)).getextrema()[0] > 150
            difference = ImageStat.Stat(ImageChops.difference(a.resize((200, 280)), b.resize((200, 280))))
            assert difference.mean[0] < 6


def test_a_pdf_of_our_own_keeps_its_text():
    from webapp.pdf import Document

    document = Document("Attestation de paiement", commune_name="Commune d'Alpha", compress=True)
    document.heading("Attestation de paiement")
    document.paragraph("La famille 100100 a réglé 120,60 € pour l'accueil périscolaire (œuvre).")
    document.add_page()
    document.paragraph("Seconde page")
    out = clean(bytes(document.output())).data
    text = pdf_walk.text(out)
    assert "120,60 €" in text and "(œuvre)" in text and "Seconde page" in text and "Commune d'Alpha" in text
    assert pdf_walk.page_count(out) == 2


def test_more_than_30_pages_is_refused():
    pdf = hostile_pdfs.base()
    for _ in range(pdf_rebuild.MAX_PAGES):
        pdf.add_blank_page()
    assert refusal(hostile_pdfs.save(pdf)) == "pages"


def test_a_flate_bomb_is_refused_without_expanding_in_the_parent():
    """About 1.5 Go of zeros in 1.5 Mo: the child stops at its decoded-size or memory limit."""
    pdf = hostile_pdfs.base()
    squeezer, chunk = zlib.compressobj(9), b"\0" * (16 * 1024 * 1024)
    bomb = b"".join(squeezer.compress(chunk) for _ in range(96)) + squeezer.flush()
    stream = pikepdf.Stream(pdf, b"")
    stream.write(bomb, filter=pikepdf.Name.FlateDecode)
    pdf.pages[0].obj.Resources.ColorSpace = pikepdf.Dictionary(CS0=pikepdf.Array(
        [pikepdf.Name.ICCBased, pdf.make_indirect(stream)]))
    data = hostile_pdfs.save(pdf)
    assert len(data) < checks.MAX_BYTES
    started = time.monotonic()
    assert refusal(data) == "pdf_limits"
    assert time.monotonic() - started < checks.PDF_SECONDS


def test_a_rebuild_that_takes_too_long_is_stopped(monkeypatch):
    monkeypatch.setattr(checks, "PDF_SECONDS", 0.001)
    assert refusal(files.pdf()) == "pdf_limits"


def test_a_password_protected_pdf_is_refused_but_a_merely_restricted_one_is_rebuilt():
    pdf = hostile_pdfs.base()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    assert refusal(out.getvalue()) == "encrypted"
    restricted = io.BytesIO()
    hostile_pdfs.base().save(restricted, encryption=pikepdf.Encryption(
        user="", owner="owner", allow=pikepdf.Permissions(extract=False)))
    stored(restricted.getvalue())


def test_a_damaged_pdf_is_refused():
    data = files.pdf()
    assert refusal(data[:9] + b"\x00garbage\xff" * 300 + b"\n%%EOF\n") == "damaged"


def test_refusals_have_a_french_sentence():
    from webapp.uploads.errors import MESSAGES

    assert set(checks.REASONS) <= set(MESSAGES)


def test_the_rebuild_runs_isolated_from_the_app():
    """It runs with `python -I`, without the app on its path: only the standard library, pikepdf and Pillow."""
    assert imported_modules(Path(pdf_rebuild.__file__)) <= {"io", "resource", "sys", "pikepdf", "PIL"}
