"""The fast YAML reader gives exactly what PyYAML's safe loader gives, for every data file Knock ships."""

from __future__ import annotations

import pytest
import yaml

from knock.paths import templates_dir
from knock.yaml_files import YAMLError, load_yaml

FILES = sorted(templates_dir().rglob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(templates_dir())))
def test_the_same_data_as_the_safe_loader(path) -> None:  # type: ignore[no-untyped-def]
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_objects_are_not_built_and_bad_yaml_is_an_error() -> None:
    with pytest.raises(YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']")
    with pytest.raises(YAMLError):
        load_yaml("a: [1, 2")
    assert FILES
