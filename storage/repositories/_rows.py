"""Row↔entity mapping and the id-allocating insert that several repositories share."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Insert, Row, Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningInsert

from core.model import Lead, LeadStatus, Stage, Temperature

_MICROSECOND = timedelta(microseconds=1)


def _aware(value: datetime) -> datetime:
    """Aggregates bypass the column type on SQLite, so their datetimes may come back naive."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def fits(column: ColumnElement[Any], value: int) -> bool:
    """Whether *column* could hold *value*: an id beyond that names no row, and the drivers
    raise on it rather than find nothing (asyncpg: out of int32 range; sqlite3: overflow)."""
    limit = 1 << (63 if isinstance(column.type, BigInteger) else 31)
    return -limit <= value < limit


_LEAD_FIELDS = (
    "contact_id", "source", "external_id", "received_at", "score", "name", "phone", "email",
    "product", "region", "budget_min", "budget_max", "timing", "message",
    "postal_code", "language", "owner_id", "accepted_at", "escalated_at", "contacted_at",
    "closed_at", "amount", "company", "intent", "fit", "offer_amount", "lost_reason",
    "attempts", "stage_at", "lead_type", "contact_due_at", "import_file", "released_at",
    "team", "rule", "strategy", "duplicate",
)


def _lead_values(lead: Lead) -> dict[str, Any]:
    values = {name: getattr(lead, name) for name in _LEAD_FIELDS}
    values["to_contact_us"] = (None if lead.contacted_at is None else
                               (lead.contacted_at - lead.received_at) // _MICROSECOND)
    values.update(temperature=lead.temperature.value, status=lead.status.value,
                  stage=lead.stage.value, furthest_stage=lead.furthest_stage.value,
                  missing=list(lead.missing),
                  returning_contact=lead.returning, tags=list(lead.tags),
                  extras=dict(lead.extras) or None, campaign=dict(lead.campaign) or None,
                  consent=lead.consent, flags=dict(lead.flags) or None)
    return values


def _lead(row: Row[Any]) -> Lead:
    data = {name: getattr(row, name) for name in _LEAD_FIELDS}
    return Lead(
        **data, temperature=Temperature(row.temperature), status=LeadStatus(row.status),
        stage=Stage(row.stage), furthest_stage=Stage(row.furthest_stage),
        missing=list(row.missing), returning=row.returning_contact,
        tags=list(row.tags or []), extras=dict(row.extras or {}),
        campaign=dict(row.campaign or {}), consent=row.consent, flags=dict(row.flags or {}),
        version=row.version, id=row.id,
    )


async def _insert_returning_ids(
    conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]
) -> list[int]:
    """Insert *rows* with one executemany and return their ids in the same order.

    One row is inserted with RETURNING. For more, INSERT ... RETURNING would cost a statement
    per row on SQLite (it cannot promise the order of returned rows), so ids are taken first:
    from the sequence on PostgreSQL, and above the current maximum on SQLite, where this
    transaction began IMMEDIATE and holds the write lock, so no other writer can take the
    same ids.
    """
    if not rows:
        return []
    if len(rows) == 1:  # the common case, where RETURNING has no order to keep
        inserted = await conn.execute(_returning_id(table), rows[0])
        return [int(inserted.scalar_one())]
    if conn.dialect.name == "postgresql":
        allocated = await conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :n)"), {"table": table.name, "n": len(rows)})
        ids = [int(row[0]) for row in allocated]
    else:
        top = (await conn.execute(select(func.max(table.c.id)))).scalar() or 0
        ids = list(range(top + 1, top + 1 + len(rows)))
    await conn.execute(_insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


@functools.cache
def _insert(table: Table) -> Insert:
    """A table's plain INSERT, built once."""
    return insert(table)


@functools.cache
def _returning_id(table: Table) -> ReturningInsert[tuple[int]]:
    """A table's INSERT … RETURNING id, built once."""
    return insert(table).returning(table.c.id)
