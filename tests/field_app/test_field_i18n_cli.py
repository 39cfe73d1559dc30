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
