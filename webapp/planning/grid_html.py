"""The planning grid's cells as HTML, written in Python.

A month of 3 children × 4 services is 372 cells: a Jinja macro per cell and a translation
and a date format per cell made the page 30 times slower than it needs to be. Here every
text is translated once per request and every day formatted once, then each cell is one
string format. The markup is the one the tests and planning.js expect.
"""
from markupsafe import Markup, escape


class CellRenderer:
    """Renders cells of one page; built once per request with the texts already translated."""

    def __init__(self, *, icons: dict, shorts: dict, state_texts: dict, late_icon: str, late_short: str,
                 late_text: str, label_with_child: str, label: str, day_names: dict,
                 selected: set[str], selected_requests: set[int]):
        self.icons = {state: str(escape(icon)) for state, icon in icons.items()}
        self.shorts = {state: (f'<span class="cell__short" aria-hidden="true">{escape(short)}</span>' if short else "")
                       for state, short in shorts.items()}
        self.state_texts = state_texts  # lower-case state names
        self.late = f'<span class="cell__late" aria-hidden="true">{escape(late_icon)} {escape(late_short)}</span>'
        self.late_text = late_text  # "%(state)s, hors délai", translated
        self.label_with_child = label_with_child  # "%(child)s, %(service)s, %(day)s : %(state)s", translated
        self.label = label  # "%(service)s, %(day)s : %(state)s", translated
        self.day_names = day_names  # date → « lundi 8 décembre »
        self.selected = selected
        self.selected_requests = selected_requests

    def accessible_label(self, cell, service_name: str, child_name: str) -> str:
        text = self.state_texts[cell.state]
        if cell.late:
            text = self.late_text % {"state": text}
        values = {"child": child_name, "service": service_name, "day": self.day_names[cell.day], "state": text}
        return (self.label_with_child if child_name else self.label) % values

    def render(self, cell, service_name: str, child_name: str) -> Markup:
        # Plain f-strings over escaped parts: Markup.format costs ten times more per cell.
        content = (f'<span class="cell__icon" aria-hidden="true">{self.icons[cell.state]}</span>'
                   f'{self.shorts[cell.state]}{self.late if cell.late else ""}'
                   f'<span class="visually-hidden">{escape(self.accessible_label(cell, service_name, child_name))}</span>')
        classes = "cell cell--" + cell.state + (" cell--late" if cell.late else "") + (
            " cell--weekend" if cell.weekend else "") + (" cell--active" if cell.action else "")
        if not cell.action:
            return Markup(f'<td class="{classes}"><span class="cell__label">{content}</span></td>')
        if cell.action == "withdraw":
            name, value, checked = "demande", str(cell.request_id), cell.request_id in self.selected_requests
        else:
            name, value, checked = "cases", cell.key, cell.key in self.selected
        box_id = "case-" + cell.key.replace(":", "-")
        return Markup(f'<td class="{classes}"><input class="cell__box" type="checkbox" id="{box_id}" name="{name}"'
                      f' value="{escape(value)}" data-action="{cell.action}"{" checked" if checked else ""}>'
                      f'<label class="cell__label" for="{box_id}">{content}</label></td>')
