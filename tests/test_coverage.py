"""Capacity and coverage, and automation health, as the database adds them up: on a
hand-built office of known timings, against figures counted on paper, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.repositories.reporting import _micros
from storage.tables import UtcDateTime


async def test_a_moment_a_microsecond_before_a_whole_second_is_not_rounded_up(
    engine: AsyncEngine,
) -> None:
    # SQLite's strftime('%s') rounds a fraction of .9995 s and more up to the next second.
    before = datetime(2026, 11, 2, 6, 59, 59, 999_999, tzinfo=UTC)
    start = bindparam("start", before, type_=UtcDateTime())
    end = bindparam("end", before + timedelta(microseconds=2), type_=UtcDateTime())
    async with engine.connect() as conn:
        micros = (await conn.execute(select(_micros(conn, start, end)))).scalar_one()
    assert micros == 2
