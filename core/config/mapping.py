"""A source's mapping: where in the sender's own shape of payload each lead field is."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from core.model import Strict

# A lead field as intake names it (one it does not know becomes one of the lead's extras).
FIELD_NAME = r"^[a-z][a-z0-9_]{0,39}$"
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

Step = str | int


def parse_path(path: str) -> tuple[Step, ...]:
    """`contact.phones[0]` as its steps ("contact", "phones", 0); ValueError, saying how a
    path is written, when it is none."""
    steps: list[Step] = []
    at, key_here = 0, True  # a key starts the path or follows a dot
    for match in _STEP.finditer(path):
        key, index = match.groups()
        if match.start() != at or (key is not None and not key_here):
            break
        steps.append(int(index) if index is not None else key)
        at, key_here = match.end(), False
        if at < len(path) and path[at] == ".":
            at, key_here = at + 1, True
    if not steps or isinstance(steps[0], int) or at != len(path) or path.endswith("."):
        raise ValueError(f"{path!r} is not a path into the payload (write keys with dots and "
                         "list positions in brackets, such as contact.phones[0])")
    return tuple(steps)


class SourceMapping(Strict):
    """How a source's payload reads as a lead: `fields` (lead field → path in the payload),
    `constants` (lead field → a value every lead of the source gets) and `tags` added to
    each. Keys the mapping does not use are kept as they were posted."""

    fields: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, str | int | float | bool] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("fields")
    @classmethod
    def _paths(cls, fields: dict[str, str]) -> dict[str, str]:
        for name, path in fields.items():
            _field_name(name)
            parse_path(path)
        return fields

    @field_validator("constants")
    @classmethod
    def _names(cls, constants: dict[str, object]) -> dict[str, object]:
        for name in constants:
            _field_name(name)
        return constants


def _field_name(name: str) -> None:
    if not re.fullmatch(FIELD_NAME, name):
        raise ValueError(f"{name!r} cannot name a lead field: use lower-case letters, digits "
                         "and underscores, such as phone or budget")
