"""The one PDF helper of the portal (fpdf2): invoices, receipts, certificates, child records, exports.

`Document` is an A4 page with the commune's name (and its theme colour) in the header,
« Page 2/3 » in the footer, headings, paragraphs, label/value pairs and tables. Text is
set in DejaVu Sans (bundled in static/fonts with its licence: fpdf2's core fonts have no
€ nor œ). Every string written is also kept in `Document.texts`, the text layer tests
check. Amounts and dates are written with webapp.i18n (`money`, `short_date`).

    doc = for_current_commune(_("Facture AL-36"))
    doc.heading(_("Facture AL-36"))
    doc.key_values([(_("Famille"), "100100")])
    doc.table([_("Enfant"), _("Montant")], [["Léo", money(1200)]], widths=[120, 60], align="LR")
    return pdf_response(doc, "facture-AL-36.pdf")
"""
import datetime as dt
from pathlib import Path

from flask import Response, current_app, g, has_app_context
from flask_babel import format_date
from flask_babel import gettext as _
from fpdf import FPDF

from webapp.i18n import money

FONTS = Path(__file__).parent / "static" / "fonts"
FAMILY = "DejaVu"
DEFAULT_COLOUR = "#1d4e89"


def short_date(day: dt.date) -> str:
    """« 08/12/2025 »."""
    return format_date(day, "dd/MM/yyyy")


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    try:
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    except ValueError:
        return _rgb(DEFAULT_COLOUR)


class Document(FPDF):
    """An A4 portrait document of a commune; build it, then `to_bytes()`."""

    def __init__(self, title: str, *, commune_name: str, colour: str = DEFAULT_COLOUR, compress: bool = True):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.title_text = title
        self.commune_name = commune_name
        self.colour = _rgb(colour)
        self.texts: list[str] = []  # the text layer, for tests and accessibility checks
        self.set_compression(compress)
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_author(commune_name)
        self.set_creator("Portail Famille")
        self.set_lang("fr")
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()
        self.add_page()

    # -- page furniture -------------------------------------------------------------------
    def header(self):
        self.set_fill_color(*self.colour)
        self.rect(0, 0, self.w, 4, style="F")
        self.set_y(8)
        self.set_font(FAMILY, "B", 13)
        self.set_text_color(*self.colour)
        self._cell(self.commune_name, h=7, new_line=True)
        self.set_text_color(0, 0, 0)
        self.ln(3)

    def footer(self):
        self.set_y(-13)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90, 90, 90)
        label = _("Page %(page)s/%(pages)s", page=self.page_no(), pages="{nb}")
        self.cell(0, 6, label, align="C")
        self.set_text_color(0, 0, 0)

    # -- content ----------------------------------------------------------------------------
    def _cell(self, text: str, *, w: float = 0, h: float = 6, align: str = "L", new_line: bool = False,
              border=0, fill: bool = False):
        self.texts.append(text)
        self.cell(w, h, text, border=border, align=align, fill=fill,
                  new_x="LMARGIN" if new_line else "RIGHT", new_y="NEXT" if new_line else "TOP")

    def heading(self, text: str, level: int = 1) -> None:
        self.set_font(FAMILY, "B", 15 if level == 1 else 12)
        self.texts.append(text)
        self.multi_cell(0, 8 if level == 1 else 7, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font(FAMILY, "", 10)

    def paragraph(self, text: str, *, size: int = 10, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.texts.append(text)
        self.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font(FAMILY, "", 10)

    def key_values(self, pairs: list[tuple[str, str]], *, label_width: float = 55) -> None:
        """« Famille n° : 100100 » lines, label in bold."""
        for label, value in pairs:
            self.set_font(FAMILY, "B", 10)
            self._cell(f"{label} :", w=label_width)
            self.set_font(FAMILY, "", 10)
            self.texts.append(str(value))
            self.multi_cell(0, 6, str(value), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def table(self, headers: list[str], rows: list[list[str]], *, widths: list[float] | None = None,
              align: str | None = None, total: list[str] | None = None) -> None:
        """A bordered table; `align` one letter per column (L/C/R); `total` a last bold row.

        Long cells are cut to their column (tables hold numbers, dates and short labels).
        """
        usable = self.w - self.l_margin - self.r_margin
        widths = widths or [usable / len(headers)] * len(headers)
        align = align or "L" * len(headers)
        self.set_font(FAMILY, "B", 9)
        self.set_fill_color(*self.colour)
        self.set_text_color(255, 255, 255)
        for i, header in enumerate(headers):
            self._cell(header, w=widths[i], h=7, align=align[i], border=1, fill=True)
        self.ln(7)
        self.set_text_color(0, 0, 0)
        for row in rows + ([total] if total else []):
            self.set_font(FAMILY, "B" if row is total else "", 9)
            if self.will_page_break(6):
                self.add_page()
            for i, value in enumerate(row):
                self._cell(self._fit(str(value), widths[i]), w=widths[i], h=6, align=align[i], border=1)
            self.ln(6)
        self.ln(3)
        self.set_font(FAMILY, "", 10)

    def _fit(self, text: str, width: float) -> str:
        if self.get_string_width(text) <= width - 2:
            return text
        while text and self.get_string_width(text + "…") > width - 2:
            text = text[:-1]
        return text + "…"

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def for_current_commune(title: str) -> Document:
    """A Document headed with the current commune's name and theme colour (in a request)."""
    tenant = g.tenant
    colour = DEFAULT_COLOUR
    themes = current_app.extensions.get("themes") or {}
    theme = themes.get(getattr(tenant, "theme", "default")) if hasattr(themes, "get") else None
    if theme is not None:
        colour = theme.colours.get("--color-primary", DEFAULT_COLOUR)
    compress = not (has_app_context() and current_app.testing)  # tests read the content streams
    return Document(title, commune_name=tenant.name, colour=colour, compress=compress)


def pdf_response(doc: Document, filename: str, *, inline: bool = False) -> Response:
    """The PDF as a download (or shown in the browser), never cached (personal data)."""
    response = Response(doc.to_bytes(), mimetype="application/pdf")
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["Document", "for_current_commune", "money", "pdf_response", "short_date"]
