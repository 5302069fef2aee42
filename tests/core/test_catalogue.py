"""The zh_Hans catalogue covers every UI string, and the committed .mo matches it."""

import shutil

import polib
import pytest
from django.core.management import call_command

from fengqiao.core.catalogue import MO_FILE, PO_FILE, untranslated
from tests.fixtures import PROJECT

PACKAGE = PROJECT / "fengqiao"


def test_every_entry_is_translated():
    assert untranslated() == []


def test_the_compiled_catalogue_matches_the_source():
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(PO_FILE)}
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(MO_FILE)}
    compiled.pop((None, ""), None)
    assert compiled == source


def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path, settings, monkeypatch):
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is not installed; `make test` installs it")
    copy = tmp_path / "fengqiao"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)  # makemessages scans the working directory
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        no_location=True,
        verbosity=0,
        ignore_patterns=["static/*"],
    )
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(PO_FILE))
    fresh_ids = {(e.msgctxt, e.msgid) for e in fresh}
    committed_ids = {(e.msgctxt, e.msgid) for e in committed if not e.obsolete}
    assert sorted(fresh_ids - committed_ids, key=str) == [], "run `make messages` and translate"
    assert sorted(committed_ids - fresh_ids, key=str) == [], "stale entries: run `make messages`"
