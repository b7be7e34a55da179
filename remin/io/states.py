"""Which sheets of an xlsx/xlsm workbook are hidden, read from its xl/workbook.xml:
fastexcel's eager load (cheaper than its lazy one: no owned copy of every cell) returns
a bare Arrow batch without the sheet's visibility, so remin reads it here."""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.parsers import expat

#: the workbook's ``state`` attribute -> fastexcel's name for it (absent means visible)
_STATES = {None: "visible", "visible": "visible", "hidden": "hidden", "veryHidden": "veryhidden"}


def sheet_states(path: str | Path) -> dict[str, str]:
    """{sheet name: 'visible' | 'hidden' | 'veryhidden'} in workbook order, or {} when the
    file has no xl/workbook.xml, it does not parse, or a state is one calamine may read
    otherwise (the caller then asks fastexcel)."""
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("xl/workbook.xml")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return {}
    states: dict[str, str] = {}
    odd = []

    def start(tag, attrs):
        if tag.rpartition(":")[2] != "sheet":
            return
        state = _STATES.get(attrs.get("state"))
        if state is None or "name" not in attrs or attrs["name"] in states:
            odd.append(tag)
        else:
            states[attrs["name"]] = state

    def refuse(*_args):
        raise expat.ExpatError("entity declarations are not read")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return {}
    return {} if odd else states
