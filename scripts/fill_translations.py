"""Fill empty msgstr entries of a .po file from other translations.

Usage: python scripts/fill_translations.py locale/en/LC_MESSAGES/django.po SOURCE [SOURCE …]
A SOURCE is a Python file defining T = {"中文": "English", ...} or another .po file (for
example the catalog of a branch being merged). Existing translations are kept.
"""

import re
import runpy
import sys
from pathlib import Path

# An untranslated entry: msgid on one or more quoted lines, then an empty msgstr.
STRING = r'"(?:[^"\\]|\\.)*"'
ENTRY = re.compile(rf'^msgid (?P<lines>{STRING}(?:\n{STRING})*)\nmsgstr ""\n(?!")', re.M)
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


LINES = rf"{STRING}(?:\n{STRING})*"
TRANSLATED = re.compile(rf"^msgid (?P<id>{LINES})\nmsgstr (?P<str>{LINES})", re.M)


# Plural entries: filled only from another .po file that has the same entry translated.
FORMS = rf"(?:msgstr\[\d\] {LINES}\n?)+"
PLURAL = re.compile(
    rf"^msgid (?P<id>{LINES})\nmsgid_plural (?P<plural>{LINES})\n(?P<forms>{FORMS})", re.M
)


def _plurals(paths: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for path in paths:
        if path.endswith(".po"):
            for m in PLURAL.finditer(Path(path).read_text(encoding="utf-8")):
                if _first_form(m["forms"]):
                    found[_joined(m["id"])] = m["forms"]
    return found


def _first_form(forms: str) -> str:
    """The text of msgstr[0] of a plural entry ("" when untranslated)."""
    return _joined(forms.split("msgstr[1]")[0].removeprefix("msgstr[0] "))


def _joined(lines: str) -> str:
    return "".join(QUOTED.findall(lines))


def _table(path: str) -> dict[str, str]:
    if path.endswith(".po"):
        text = Path(path).read_text(encoding="utf-8")
        return {_joined(m["id"]): _joined(m["str"]) for m in TRANSLATED.finditer(text)
                if _joined(m["id"]) and _joined(m["str"])}
    return runpy.run_path(path)["T"]


def main(po_path: str, *sources: str) -> None:
    table: dict[str, str] = {}
    for source in sources:
        table.update(_table(source))
    text = Path(po_path).read_text(encoding="utf-8")
    missing = []

    def fill(match: re.Match) -> str:
        msgid = _joined(match["lines"])
        if msgid == "" or msgid not in table:
            if msgid:
                missing.append(msgid)
            return match[0]
        translated = table[msgid] or msgid
        return f'msgid {match["lines"]}\nmsgstr "{translated}"\n'

    text = ENTRY.sub(fill, text)
    plurals = _plurals(sources)

    def fill_plural(match: re.Match) -> str:
        forms = plurals.get(_joined(match["id"]))
        if forms is None or _first_form(match["forms"]):
            return match[0]
        return match[0].replace(match["forms"], forms if forms.endswith("\n") else forms + "\n")

    Path(po_path).write_text(PLURAL.sub(fill_plural, text), encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid}")


if __name__ == "__main__":
    main(*sys.argv[1:])
