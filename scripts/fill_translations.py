"""Fill empty msgstr entries of a .po file from a Python dict of translations.

Usage: python scripts/fill_translations.py locale/en/LC_MESSAGES/django.po TRANSLATIONS.py
The translations file defines T = {"中文": "English", ...}. Existing translations are kept.
"""

import re
import runpy
import sys
from pathlib import Path

# An untranslated entry: msgid on one or more quoted lines, then an empty msgstr.
STRING = r'"(?:[^"\\]|\\.)*"'
ENTRY = re.compile(rf'^msgid (?P<lines>{STRING}(?:\n{STRING})*)\nmsgstr ""\n(?!")', re.M)
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def main(po_path: str, table_path: str) -> None:
    table = runpy.run_path(table_path)["T"]
    text = Path(po_path).read_text(encoding="utf-8")
    missing = []

    def fill(match: re.Match) -> str:
        msgid = "".join(QUOTED.findall(match["lines"]))
        if msgid == "" or msgid not in table:
            if msgid:
                missing.append(msgid)
            return match[0]
        translated = table[msgid] or msgid
        return f'msgid {match["lines"]}\nmsgstr "{translated}"\n'

    Path(po_path).write_text(ENTRY.sub(fill, text), encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid}")


if __name__ == "__main__":
    main(*sys.argv[1:])
