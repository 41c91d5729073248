"""Outbox rows written by the version before typed messages are still sent and rendered the
same: every template name, parameter and reference string stays what it was.

tests/data/outbox_rows_v1.json was written by that version (commit aef978d): every kind of
outbox row a lead's life produces, with the text and buttons its renderer made of each.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.render import Renderer
from core.clock import ManualClock

WRITTEN = json.loads((Path(__file__).parent / "data" / "outbox_rows_v1.json").read_text(
    encoding="utf-8"))
ROWS: list[dict[str, Any]] = WRITTEN["rows"]


def renderer() -> Renderer:
    """Rendering at the moment and in the zone the old version rendered them."""
    return Renderer(zone=ZoneInfo(WRITTEN["zone"]), office="Test Realty",
                    clock=ManualClock(datetime.fromisoformat(WRITTEN["rendered_at"])))


def keyboard_of(rendered: Any) -> list[list[list[str | None]]] | None:
    if rendered.keyboard is None:
        return None
    return [[[b.text, b.callback_data, b.url] for b in row]
            for row in rendered.keyboard.inline_keyboard]


def test_the_old_rows_cover_every_template_there_was() -> None:
    assert len({row["template"] for row in ROWS}) == 15


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["ref"] or row["edit_ref"])
def test_a_row_written_by_the_old_version_renders_exactly_as_it_did(
    row: dict[str, Any], lang: str,
) -> None:
    rendered = renderer().outgoing(row["template"], {**row["params"], "lang": lang})
    assert rendered.text == row["rendered"][lang]["text"]
    assert keyboard_of(rendered) == row["rendered"][lang]["keyboard"]
