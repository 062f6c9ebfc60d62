"""The planning grid's cells as HTML, written in Python.

A month of 3 children × 4 services is 372 cells: a Jinja macro per cell and a translation
and a date format per cell made the page 30 times slower than it needs to be. Here every
text is translated once per request and every day formatted once, then each cell is one
string format. The markup is the one the tests and planning.js expect.

No cell spells out its full name: a checkbox is named by `aria-labelledby` from the parts
written once per page in a hidden list (`name_parts`: « Léo, RESTAURATION, », « lundi
15 décembre : », « libre »), so a screen reader still hears child, service, day and state
for each box, and the page weighs half as much. A cell without a box says its state as
hidden text; its row and column headers (scope) give the rest. On screen: an icon and a
short text, never colour alone.
"""
from markupsafe import Markup, escape


class CellRenderer:
    """Renders cells of one page; built once per request with the texts already translated."""

    def __init__(self, *, icons: dict, shorts: dict, state_texts: dict, late_icon: str, late_short: str,
                 late_text: str, row_name: str, day_name: str, day_names: dict,
                 selected: set[str], selected_requests: set[int]):
        self.icons = {state: str(escape(icon)) for state, icon in icons.items()}
        self.shorts = {state: (f'<span class="cell__short">{escape(short)}</span>' if short else "")
                       for state, short in shorts.items()}
        self.late = f'<span class="cell__late">{escape(late_icon)} {escape(late_short)}</span>'
        # Every state's name, and its late variant (« libre, hors délai »), by the id that names it.
        self.state_names = {}
        for state, text in state_texts.items():
            self.state_names[_state_id(state, False)] = text
            self.state_names[_state_id(state, True)] = late_text % {"state": text}
        self.state_hidden = {key: f'<span class="visually-hidden">{escape(text)}</span>'
                             for key, text in self.state_names.items()}
        self.row_name = row_name  # "%(child)s, %(service)s,", translated
        self.day_name = day_name  # "%(day)s :", translated
        self.day_names = day_names  # date → « lundi 8 décembre »
        self.selected = selected
        self.selected_requests = selected_requests
        self.named_states: set[str] = set()  # the state ids the rendered boxes refer to

    @staticmethod
    def row_id(child_id: int, service_id: int) -> str:
        return f"g-r{child_id}-{service_id}"

    def name_parts(self, rows) -> list[tuple[str, str]]:
        """(id, text) of what names the boxes: the states they have (called after rendering them),
        the days, the (child, service) rows."""
        parts = [(key, self.state_names[key]) for key in sorted(self.named_states)]
        parts += [(_day_id(day), self.day_name % {"day": name}) for day, name in self.day_names.items()]
        parts += [(self.row_id(child.id, service.id), self.row_name % {"child": child.first_name,
                                                                         "service": service.name})
                  for child, service in rows]
        return parts

    def render(self, cell, row_id: str) -> Markup:
        # Plain f-strings over escaped parts: Markup.format costs ten times more per cell.
        state_id = _state_id(cell.state, cell.late)
        content = (f'<span class="cell__icon">{self.icons[cell.state]}</span>'
                   f'{self.shorts[cell.state]}{self.late if cell.late else ""}')
        classes = "cell cell--" + cell.state + (" cell--late" if cell.late else "") + (
            " cell--weekend" if cell.weekend else "") + (" cell--active" if cell.action else "")
        if not cell.action:
            return Markup(f'<td class="{classes}"><span class="cell__label" aria-hidden="true">{content}</span>'
                          f'{self.state_hidden[state_id]}</td>')
        if cell.action == "withdraw":
            name, value, checked = "demande", str(cell.request_id), cell.request_id in self.selected_requests
        else:
            name, value, checked = "cases", cell.key, cell.key in self.selected
        box_id = "case-" + cell.key.replace(":", "-")
        self.named_states.add(state_id)
        # The label is only the tap target: the box's name comes from aria-labelledby.
        return Markup(f'<td class="{classes}"><input class="cell__box" type="checkbox" id="{box_id}" name="{name}"'
                      f' value="{escape(value)}" data-action="{cell.action}"{" checked" if checked else ""}'
                      f' aria-labelledby="{row_id} {_day_id(cell.day)} {state_id}">'
                      f'<label class="cell__label" for="{box_id}" aria-hidden="true">{content}</label></td>')


def _state_id(state: str, late: bool) -> str:
    return "g-" + state + ("-late" if late else "")


def _day_id(day) -> str:
    return f"g-j{day.day}"
