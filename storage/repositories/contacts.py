"""Contacts: the people behind leads, found again by phone or e-mail."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import Contact
from storage.repositories._rows import _insert_returning_ids
from storage.tables import contacts


class SqlContacts:
    """People, found by phone or e-mail."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def find_any(self, *, phones: Sequence[str], emails: Sequence[str]) -> list[Contact]:
        """Contacts with any of *phones* or *emails*, oldest first."""
        if not phones and not emails:
            return []
        # Each look is built once; an empty list matches nothing.
        rows = await self._conn.execute(_FIND_ANY, {"phones": sorted(set(phones)),
                                                    "emails": sorted(set(emails))})
        return [Contact(r.phone, r.email, r.name, r.created_at, r.id) for r in rows]

    async def add_all(self, new: Sequence[Contact]) -> None:
        """Store new contacts and give each its id."""
        rows = [{"phone": c.phone, "email": c.email, "name": c.name,
                 "created_at": c.created_at} for c in new]
        for contact, contact_id in zip(new, await _insert_returning_ids(
                self._conn, contacts, rows), strict=True):
            contact.id = contact_id

    async def update(self, contact: Contact) -> None:
        """Save a contact's changed phone, e-mail or name."""
        await self._conn.execute(update(contacts).where(contacts.c.id == contact.id).values(
            phone=contact.phone, email=contact.email, name=contact.name))


_FIND_ANY = select(contacts).where(or_(
    contacts.c.phone.in_(bindparam("phones", expanding=True)),
    contacts.c.email.in_(bindparam("emails", expanding=True)))).order_by(contacts.c.id)
