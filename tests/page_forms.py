"""The POST forms of a rendered page, read as a browser would submit them.

Tests that drive every writing URL use this to post what a user would: the fields the page
really renders, with their current values, the selected options and the checked boxes.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "select-multiple" or "textarea"
    value: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    required: bool = False
    chosen: bool = False  # a select: whether the page marked an option selected


@dataclass
class PageForm:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def data(self, **overrides: str | list[str]) -> dict[str, list[str]]:
        """What the browser submits, with some fields set to other values."""
        found = {name: list(f.value) for name, f in self.fields.items()}
        for name, value in overrides.items():
            found[name] = value if isinstance(value, list) else [value]
        return found

    def filled(self, **overrides: str | list[str]) -> dict[str, list[str]]:
        """What a user submits who fills every empty field with something plausible."""
        found = self.data()
        for name, f in self.fields.items():
            if any(v.strip() for v in found[name]) or f.kind in ("hidden", "checkbox", "radio"):
                continue
            if f.kind.startswith("select"):
                choices = [o for o in f.options if o]
                found[name] = choices[: 2 if f.kind == "select-multiple" else 1]
            else:
                found[name] = [PLAUSIBLE.get(f.kind, "测试填写内容")]
        for name, value in overrides.items():
            found[name] = value if isinstance(value, list) else [value]
        return found


PLAUSIBLE = {"date": "2025-06-30", "month": "2026-10", "number": "1", "email": "a@example.cn",
             "tel": "13800000000", "url": "https://example.cn/"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.form: PageForm | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None
        self.repeated: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.form = PageForm(action=a.get("action", ""))
            self.forms.append(self.form)
            self.repeated = set()
        if self.form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "button" and name and a.get("type", "submit").lower() == "submit":
            # The first named submit button is the one a user presses (save, submit, ...).
            self.form.fields.setdefault(name, Field(name, "submit", [a.get("value", "")]))
        elif tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "submit":
                self.form.fields.setdefault(name, Field(name, "submit", [a.get("value", "")]))
                return
            if kind in ("button", "image", "reset", "file"):
                return
            entry = self.form.fields.setdefault(name, Field(name, kind, required="required" in a))
            if kind in ("checkbox", "radio"):
                entry.options.append(a.get("value", "on"))
                if "checked" in a:
                    entry.value.append(a.get("value", "on"))
            elif name in self.repeated:
                entry.value.append(a.get("value", ""))  # one name, several values
            else:
                entry.value = [a.get("value", "")]
                self.repeated.add(name)
        elif tag == "select" and name:
            kind = "select-multiple" if "multiple" in a else "select"
            self.select = Field(name, kind, required="required" in a)
            self.form.fields[name] = self.select
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            self.select.options.append(value)
            if "selected" in a:
                self.select.value.append(value)
                self.select.chosen = True
        elif tag == "textarea" and name:
            self.textarea = Field(name, "textarea", [""], required="required" in a)
            self.form.fields[name] = self.textarea

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            text = self.textarea.value[0] + data
            # A browser drops the newline that follows <textarea>.
            self.textarea.value = [text if self.textarea.value[0] else text.removeprefix("\n")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            if self.select.kind == "select" and not self.select.value and self.select.options:
                self.select.value = [self.select.options[0]]  # as a browser submits
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def post_forms(html: str) -> list[PageForm]:
    """Every `<form method="post">` of the page (the language switch and logout included)."""
    reader = _Reader()
    reader.feed(html)
    return reader.forms
