"""A WhatsApp post kept in failed intake, taken again once the config is fixed: its body read
again, each message taken as the webhook takes it (once, by its id), the failure marked
replayed into the first message's lead.

The signature is not checked again (its header is not kept): only a post whose signature was
right is kept with WHATSAPP_TYPE (webhooks/whatsapp.py), and a row that says it was not
signed is refused all the same.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.deps import Deps, UowFactory
from core.errors import Conflict
from core.lifecycle.whatsapp import (
    WHATSAPP_TYPE,
    WhatsAppTaken,
    admit_whatsapp,
    take_whatsapp_message,
)
from core.model.failures import FailedIntake
from core.whatsapp_payload import WhatsAppMessage, messages_in


def kept_messages(deps: Deps, failure: FailedIntake,
                  payload: Mapping[str, object]) -> list[tuple[str, WhatsAppMessage]]:
    """The messages of the kept post *payload* (its body, read), each with the source that
    claims its number now; ValueError saying why when it cannot be taken (nothing in it to
    take, a number still unclaimed), InvalidInput when a message's number is not a phone."""
    if failure.content_type != WHATSAPP_TYPE or not failure.authenticated:
        raise ValueError("it is not a signed WhatsApp post")
    found = messages_in(payload)
    if not found:
        raise ValueError("it carries no message to take")
    unclaimed = sorted({got.phone_number_id for got in found
                        if deps.config.source_for_phone_number(got.phone_number_id) is None})
    if unclaimed:
        raise ValueError(f"phone_number_id {', '.join(unclaimed)} is claimed by no whatsapp "
                         "source; add it to a whatsapp source's phone_number_ids")
    taking = []
    for got in found:
        source = deps.config.source_for_phone_number(got.phone_number_id)
        assert source is not None
        admit_whatsapp(deps, source=source.name, got=got)  # every one readable, or none taken
        taking.append((source.name, got))
    return taking


async def replay_whatsapp_post(uow_factory: UowFactory, deps: Deps, /, *,
                               failure: FailedIntake, payload: Mapping[str, object]) -> int:
    """Take each message of the kept post *payload* (a new lead received when the post
    first arrived, or a line of its open lead) and mark *failure* replayed into the first
    one's lead; that lead's id. A message taken before is not taken again.

    ValueError or InvalidInput (kept_messages) when it still cannot be taken: nothing is
    taken then. Conflict when the failure was marked replayed meanwhile (its messages are
    taken once all the same).
    """
    lead_ids = [(await _take(uow_factory, deps, source, got, failure)).lead_id
                for source, got in kept_messages(deps, failure, payload)]
    async with uow_factory() as uow:
        if not await uow.failed_intake.mark_replayed(failure.id, lead_id=lead_ids[0],
                                                     at=deps.clock.now()):
            raise Conflict()
        await uow.commit()
    return lead_ids[0]


async def _take(uow_factory: UowFactory, deps: Deps, source: str, got: WhatsAppMessage,
                failure: FailedIntake) -> WhatsAppTaken:
    try:
        return await take_whatsapp_message(uow_factory(), deps, source=source, got=got,
                                           received_at=failure.received_at)
    except Conflict:
        # Taken by the webhook (a delivery of Meta's) between our look and our write: it is
        # found taken now.
        return await take_whatsapp_message(uow_factory(), deps, source=source, got=got,
                                           received_at=failure.received_at)
