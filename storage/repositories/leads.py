"""Leads, read and saved whole, every change conditional on the version read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from core.digest import DigestCounts
from core.errors import Conflict
from core.model import OPEN_STATUSES, Lead, LeadStatus, OfferStatus
from core.ports import OwnerCounts, PoolGroup, WaitingRow
from core.stats import PeriodTally
from storage.repositories import digest, import_pool, reporting
from storage.repositories._rows import _insert_returning_ids, _lead, _lead_values, fits
from storage.tables import contacts, leads, offers


class SqlLeads:
    """Leads; updates are conditional on the version read."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_all(self, new: Sequence[Lead]) -> None:
        """Store new leads and give each its id; a duplicate external id raises Conflict."""
        rows = [{**_lead_values(lead), "version": lead.version} for lead in new]
        try:
            ids = await _insert_returning_ids(self._conn, leads, rows)
        except IntegrityError as exc:
            # Two deliveries of one webhook raced past the lookup; the retry will find it.
            raise Conflict("a lead with this source and external id is already stored") from exc
        for lead, lead_id in zip(new, ids, strict=True):
            lead.id = lead_id

    async def get(self, lead_id: int) -> Lead | None:
        """One lead by id."""
        if not fits(leads.c.id, lead_id):
            return None
        row = (await self._conn.execute(select(leads).where(leads.c.id == lead_id))).first()
        return _lead(row) if row else None

    async def lock(self, lead_id: int) -> Lead | None:
        """One lead by id, its row held until the transaction ends (SQLite: the write lock)."""
        if not fits(leads.c.id, lead_id):
            return None
        row = (await self._conn.execute(
            select(leads).where(leads.c.id == lead_id).with_for_update())).first()
        return _lead(row) if row else None

    async def lock_all(self, lead_ids: Sequence[int]) -> dict[int, Lead]:
        """Several leads by id, each row held until the transaction ends (taken in id order)."""
        if not lead_ids:
            return {}
        rows = await self._conn.execute(
            select(leads).where(leads.c.id.in_(sorted(set(lead_ids))))
            .order_by(leads.c.id).with_for_update())
        return {row.id: _lead(row) for row in rows}

    async def by_external_ids(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], Lead]:
        """The leads sources already sent, by (source, external_id)."""
        if not keys:
            return {}
        rows = await self._conn.execute(select(leads).where(
            leads.c.external_id.in_(sorted({ext for _, ext in keys}))))
        wanted = set(keys)
        found = {}
        for row in rows:
            if (row.source, row.external_id) in wanted:
                found[(row.source, row.external_id)] = _lead(row)
        return found

    async def owners_of(self, contact_ids: Sequence[int]) -> dict[int, int]:
        """For each contact, the agent who owns its newest open lead."""
        if not contact_ids:
            return {}
        rows = await self._conn.execute(
            select(leads.c.contact_id, leads.c.owner_id).where(
                leads.c.contact_id.in_(sorted(set(contact_ids))),
                leads.c.status == LeadStatus.OWNED.value,
            ).order_by(leads.c.id))
        return {row.contact_id: row.owner_id for row in rows}  # newest wins: ordered by id

    async def with_open_lead(self, contact_ids: Sequence[int]) -> set[int]:
        """Those of these contacts with a lead new, offered, with the managers or owned."""
        if not contact_ids:
            return set()
        rows = await self._conn.execute(
            select(leads.c.contact_id.distinct()).where(
                leads.c.contact_id.in_(sorted(set(contact_ids))),
                leads.c.status.in_([s.value for s in OPEN_STATUSES])))
        return {row.contact_id for row in rows}

    async def orphaned(self) -> list[int]:
        """Leads marked as offered that have no pending offer: nobody holds them."""
        live = select(offers.c.id).where(offers.c.lead_id == leads.c.id,
                                         offers.c.status == OfferStatus.PENDING.value)
        rows = await self._conn.execute(select(leads.c.id).where(
            leads.c.status == LeadStatus.OFFERED.value, ~live.exists()).order_by(leads.c.id))
        return [r.id for r in rows]

    async def any_new(self) -> bool:
        """Whether a stored lead waits to be routed."""
        row = (await self._conn.execute(select(leads.c.id).where(
            leads.c.status == LeadStatus.NEW.value).limit(1))).first()
        return row is not None

    async def take_new(self, *, limit: int, ids: Sequence[int] | None = None) -> list[Lead]:
        """The oldest leads waiting to be routed (of *ids*, if given), each row held until
        the transaction ends; rows another transaction holds are passed over, not waited for."""
        if ids is None:
            rows = await self._conn.execute(_TAKE_NEW, {"limit": limit})
        else:
            rows = await self._conn.execute(_TAKE_NEW_OF, {"limit": limit,
                                                           "ids": sorted(set(ids))})
        return [_lead(r) for r in rows]

    async def nurtured_of(self, contact_ids: Sequence[int]) -> list[Lead]:
        """The leads of these contacts that sit in nurture, oldest first."""
        if not contact_ids:
            return []
        rows = await self._conn.execute(select(leads).where(
            leads.c.contact_id.in_(sorted(set(contact_ids))),
            leads.c.status == LeadStatus.NURTURE.value).order_by(leads.c.id))
        return [_lead(r) for r in rows]

    async def revive(self, lead_id: int) -> bool:
        """Take a lead out of nurture because its contact came back; False if it had left."""
        result = await self._conn.execute(
            update(leads)
            .where(leads.c.id == lead_id, leads.c.status == LeadStatus.NURTURE.value)
            .values(status=LeadStatus.REVIVED.value, version=leads.c.version + 1))
        return bool(result.rowcount == 1)

    async def update(self, lead: Lead) -> None:
        """Save *lead* if nobody changed it since it was read, else raise Conflict."""
        result = await self._conn.execute(
            update(leads)
            .where(leads.c.id == lead.id, leads.c.version == lead.version)
            .values(**_lead_values(lead), version=lead.version + 1))
        if result.rowcount != 1:
            raise Conflict(f"lead {lead.id} changed underneath us")
        lead.version += 1

    async def settle_all(self, new: Sequence[Lead]) -> None:
        """Save where routing left several leads locked in this transaction (status,
        escalation and close times, the lead type a rule gave, the first rule and strategy),
        each conditional on its version.

        One executemany; where the driver cannot count the rows it changed (asyncpg), the
        row locks taken by `lock_all` are what keeps anyone else from changing them.
        """
        if not new:
            return
        result = await self._conn.execute(
            _UPDATE_VERSIONED,
            [{"status": lead.status.value, "escalated_at": lead.escalated_at,
              "closed_at": lead.closed_at, "lead_type": lead.lead_type, "lead_id": lead.id,
              "rule": lead.rule, "strategy": lead.strategy,
              "old_version": lead.version, "new_version": lead.version + 1} for lead in new])
        if self._conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(new):
            raise Conflict("a lead changed underneath us")
        for lead in new:
            lead.version += 1

    async def owner_counts(self, *, review_since: datetime | None) -> dict[int, OwnerCounts]:
        """Per owner: open leads, and leads received since *review_since* and won of them."""
        return await reporting.owner_counts(self._conn, review_since=review_since)

    async def received_since(self, starts: Mapping[int, datetime]) -> dict[int, int]:
        """Per agent in *starts*: leads they own, taken at or after their start."""
        return await reporting.received_since(self._conn, starts)

    async def open_of(self, agent_id: int, *, offset: int, limit: int) -> tuple[list[Lead], int]:
        """A page of the leads *agent_id* works now, newest first, and how many there are."""
        mine = (leads.c.owner_id == agent_id, leads.c.status == LeadStatus.OWNED.value)
        total = (await self._conn.execute(select(func.count()).where(*mine))).scalar_one()
        rows = await self._conn.execute(select(leads).where(*mine)
                                        .order_by(leads.c.id.desc()).offset(offset).limit(limit))
        return [_lead(r) for r in rows], int(total)

    async def of_contacts(self, contact_ids: Sequence[int]) -> list[Lead]:
        """Every lead of these contacts, oldest first."""
        if not contact_ids:
            return []
        rows = await self._conn.execute(select(leads).where(
            leads.c.contact_id.in_(sorted(set(contact_ids)))).order_by(leads.c.id))
        return [_lead(r) for r in rows]

    async def by_phone(self, phone: str) -> list[Lead]:
        """The leads left with this phone number (E.164), newest first."""
        people = select(contacts.c.id).where(contacts.c.phone == phone).scalar_subquery()
        rows = await self._conn.execute(select(leads).where(
            (leads.c.phone == phone) | leads.c.contact_id.in_(people))
            .order_by(leads.c.id.desc()).limit(50))
        return [_lead(r) for r in rows]

    async def waiting(self, *, limit: int) -> list[WaitingRow]:
        """The *limit* most urgent leads nobody owns yet, with their newest pending offer."""
        return await reporting.waiting(self._conn, limit=limit)

    async def count_waiting(self) -> int:
        """How many leads are offered to someone, waiting for a manager or in nurture."""
        return await reporting.count_waiting(self._conn)

    async def any_queued(self) -> bool:
        """Whether an imported lead waits in the import pool."""
        return await import_pool.any_queued(self._conn)

    async def released_since(self, since: datetime) -> int:
        """How many leads the import pool released after *since*."""
        return await import_pool.released_since(self._conn, since)

    async def release_queued(self, *, limit: int, at: datetime) -> list[int]:
        """Move up to *limit* of the oldest pooled leads to routing; their ids."""
        return await import_pool.release_queued(self._conn, limit=limit, at=at)

    async def pool_groups(self) -> list[PoolGroup]:
        """The import pool by source and file, the largest first."""
        return await import_pool.pool_groups(self._conn)

    async def period_tally(self, start: datetime, end: datetime, *,
                           now: datetime | None = None) -> PeriodTally:
        """Figures of the leads received in [start, end), of every offer made for them and of
        the events of [start, end)."""
        return await reporting.period_tally(self._conn, start, end, now=now)

    async def digest_counts(self, start: datetime, end: datetime, *,
                            now: datetime) -> DigestCounts:
        """The morning digest's figures, added up by the database."""
        return await digest.digest_counts(self._conn, start, end, now=now)


# A lead's way runs these in one transaction each: built once, as building one costs more
# than running it on SQLite. SKIP LOCKED: the router holds the routing row while it takes
# waiting leads, so waiting here for a lead another transaction holds could close a circle.
_TAKE_NEW = (select(leads).where(leads.c.status == LeadStatus.NEW.value).order_by(leads.c.id)
             .limit(bindparam("limit")).with_for_update(skip_locked=True))
_TAKE_NEW_OF = (select(leads).where(leads.c.status == LeadStatus.NEW.value,
                                    leads.c.id.in_(bindparam("ids", expanding=True)))
                .order_by(leads.c.id).limit(bindparam("limit")).with_for_update(skip_locked=True))
_UPDATE_VERSIONED = (update(leads).where(leads.c.id == bindparam("lead_id"),
                                         leads.c.version == bindparam("old_version"))
                     .values(version=bindparam("new_version")))
