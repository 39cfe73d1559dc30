"""Translations are complete in both languages; ``knock set-pin`` and ``knock field`` on the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fieldapp_support import build_community

from knock.core.pins import pin_matches
from field_app.catalogs import load_catalog, source_msgids
from field_app.i18n import LOCALES
from field_app.names import mask_phone, owner_title
from knock.cli.main import cli
from knock.home import Home


def test_every_string_has_a_translation_in_both_languages() -> None:
    ids = source_msgids()
    assert len(ids) > 100
    for locale in LOCALES:
        catalog = load_catalog(locale)
        missing = [msgid for msgid in ids if not (catalog.get(msgid) and catalog.get(msgid).string)]
        assert not missing, f"{locale}: untranslated (run python -m field_app.catalogs): {missing}"


def test_placeholders_survive_translation() -> None:
    import re

    catalog = load_catalog("zh")
    for message in catalog:
        if message.id:
            assert set(re.findall(r"{\w+}", message.id)) == set(re.findall(r"{\w+}", message.string)), message.id


def test_compiled_catalog_is_kept_and_follows_the_po(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A start with an unchanged .po reads the kept compiled catalog; an edited .po is compiled again
    (never a stale word), a damaged kept copy is replaced, and only the current one is kept."""
    from field_app import i18n

    po = tmp_path / "zh" / "LC_MESSAGES" / "field_app.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(i18n.po_path("zh").read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)

    def fresh(word: str) -> str:
        i18n.translations.cache_clear()
        return i18n.translations("zh").gettext(word)

    try:
        assert fresh("Owner") == "业主"
        kept = i18n.compiled_path(po, po.read_bytes())
        assert kept.read_bytes().startswith(i18n.compile_po(po.read_bytes(), "zh"))
        with monkeypatch.context() as no_babel:  # proof that the kept copy is what a start reads: nothing is compiled
            no_babel.setattr(i18n, "compile_po", lambda data, locale: (_ for _ in ()).throw(AssertionError("compiled again")))
            assert fresh("Owner") == "业主"
        po.write_bytes(po.read_bytes().replace('msgstr "业主"'.encode(), 'msgstr "户主"'.encode()))
        assert fresh("Owner") == "户主"
        kept_now = i18n.compiled_path(po, po.read_bytes())
        assert [p.name for p in kept.parent.iterdir()] == [kept_now.name]
        sealed = kept_now.read_bytes()
        for damaged in (
            b"damaged",
            sealed.replace("户主".encode(), "房东".encode()),  # still a valid catalog, with another word in it
            sealed.replace(b"charset=UTF-8", b"charset=UT#-8"),  # gettext: LookupError (unknown encoding)
            sealed[:-40],  # cut short
        ):
            kept_now.write_bytes(damaged)
            assert fresh("Owner") == "户主"
            assert kept_now.read_bytes() == sealed  # and the kept copy is whole again
    finally:
        i18n.translations.cache_clear()


def test_owner_is_surname_and_title() -> None:
    assert owner_title("王建国", "m", "zh") == "王先生"
    assert owner_title("王丽", "f", "zh") == "王女士"
    assert owner_title("王丽", "", "zh") == "王业主"
    assert owner_title("欧阳娜娜", "f", "zh") == "欧阳女士"
    assert owner_title("王丽", "", "en") == "Owner Wang"
    assert owner_title("王建国", "m", "en") == "Mr Wang"
    assert mask_phone("13812345678") == "138****5678"


def test_set_pin_non_interactive_and_prompted(home: Home, tmp_path: Path) -> None:
    build_community(home)
    runner = CliRunner()
    # 张保安 already has a PIN: changing it needs a manager's PIN (asked hidden, here from stdin).
    result = runner.invoke(cli, ["set-pin", "张保安", "--pin", "2468", "--by", "赵经理", "--pin-from-stdin", "--home", str(home.path)], input="9999\n")
    assert result.exit_code == 0, result.output
    # A prompted change: the manager's PIN, then the new PIN twice, none of them echoed.
    result = runner.invoke(cli, ["set-pin", "李保洁", "--by", "赵经理", "--home", str(home.path)], input="9999\n1357\n1357\n")
    assert result.exit_code == 0, result.output
    assert "9999" not in result.output and "1357" not in result.output
    assert pin_matches(home.ledger.staff("张保安").pin_hash, "2468")
    assert pin_matches(home.ledger.staff("李保洁").pin_hash, "1357")
    assert not pin_matches(home.ledger.staff("李保洁").pin_hash, "2468")
    bad = runner.invoke(cli, ["set-pin", "张保安", "--pin", "12", "--home", str(home.path)])
    assert bad.exit_code != 0 and "4 to 8 digits" in bad.output
    unknown = runner.invoke(cli, ["field", "--as", "nobody", "--home", str(home.path)])
    assert unknown.exit_code != 0 and "nobody" in unknown.output
