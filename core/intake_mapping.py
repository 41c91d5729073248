"""A payload in the sender's own shape, read as lead fields through its source's mapping."""

from __future__ import annotations

from collections.abc import Mapping

from core.config.mapping import SourceMapping, Step, parse_path


def resolve(payload: object, steps: tuple[Step, ...]) -> object | None:
    """What *steps* reach in *payload*, or None where a step finds nothing."""
    here = payload
    for step in steps:
        if isinstance(step, int):
            if not isinstance(here, list) or step >= len(here):
                return None
            here = here[step]
        else:
            if not isinstance(here, Mapping) or step not in here:
                return None
            here = here[step]
    return here


def apply_mapping(mapping: SourceMapping | None,
                  payload: Mapping[str, object]) -> dict[str, object]:
    """*payload* as lead fields: each mapped field taken from its path (the key a path
    starts from is used up), the constants set, the tags added; the rest as posted."""
    if mapping is None:
        return dict(payload)
    mapped: dict[str, object] = {}
    used: set[str] = set()
    for name, path in mapping.fields.items():
        steps = parse_path(path)
        value = resolve(payload, steps)
        used.add(str(steps[0]))
        if value is not None:
            mapped[name] = value
    lead = {key: value for key, value in payload.items() if key not in used}
    lead.update(mapped)
    lead.update(mapping.constants)
    if mapping.tags:
        given = lead.get("tags")
        listed = [str(t) for t in given] if isinstance(given, list) else (
            [str(given)] if given else [])
        lead["tags"] = listed + [t for t in mapping.tags if t not in listed]
    return lead
