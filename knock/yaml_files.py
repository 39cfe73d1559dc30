"""Reading Knock's reviewed YAML data files (vocabulary, playbook content) quickly.

PyYAML's pure-Python parser took a tenth of a second of every field app start
for the vocabulary alone; its libyaml parser reads the same safe subset of YAML
about ten times faster. PyYAML's wheels include libyaml; where it is missing
the pure-Python parser gives the same data.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

YAMLError = yaml.YAMLError


def load_yaml(text: str) -> Any:
    """What ``yaml.safe_load(text)`` gives (plain data only, no tags that build objects)."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)
