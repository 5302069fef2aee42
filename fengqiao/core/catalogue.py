"""The zh_Hans message catalogue: compile it, and list what is missing from it.

Used by `make messages` and by the test that keeps the catalogue complete. polib is a
development dependency; the compiled .mo file is committed so that an install needs no
gettext tools.
"""

from __future__ import annotations

import sys
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = CATALOGUE / "django.po"
MO_FILE = CATALOGUE / "django.mo"


def untranslated(po_path: Path = PO_FILE) -> list[str]:
    import polib

    catalogue = polib.pofile(str(po_path))
    return [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]


def compile_catalogue(po_path: Path = PO_FILE, mo_path: Path = MO_FILE) -> None:
    import polib

    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


if __name__ == "__main__":
    if sys.argv[1:] == ["compile"]:
        missing = untranslated()
        if missing:
            print(f"{len(missing)} entries still untranslated or fuzzy:")
            for msgid in missing[:40]:
                print(f"  {msgid!r}")
        compile_catalogue()
    else:
        raise SystemExit("usage: python -m fengqiao.core.catalogue compile")
