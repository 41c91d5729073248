"""The messages a state change sends, typed: which template, its parameters, and the
references by which a later message edits an earlier one.

Rows are stored in the outbox as a template name, a flat JSON object of parameters and
reference strings, and may be sent by a newer version than the one that wrote them: every
name, key and reference format here is the string the first version wrote
(tests/test_outbox_compat.py renders rows as that version wrote them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from core.messages.group import DigestChartsParams as DigestChartsParams
from core.messages.group import DigestParams as DigestParams
from core.messages.group import TeamEscalatedParams as TeamEscalatedParams
from core.messages.intake import IntakeFailedParams as IntakeFailedParams
from core.messages.params import ContactDetails as ContactDetails
from core.messages.params import LeadSummary as LeadSummary
from core.messages.params import Params as Params
from core.messages.routing import AcceptedParams as AcceptedParams
from core.messages.routing import AgentUnreachableParams as AgentUnreachableParams
from core.messages.routing import AssignedParams as AssignedParams
from core.messages.routing import AuditReportParams as AuditReportParams
from core.messages.routing import ClaimedParams as ClaimedParams
from core.messages.routing import ClaimGroupParams as ClaimGroupParams
from core.messages.routing import DeclinedParams as DeclinedParams
from core.messages.routing import EscalatedParams as EscalatedParams
from core.messages.routing import EscalationClosedParams as EscalationClosedParams
from core.messages.routing import ExpiredParams as ExpiredParams
from core.messages.routing import GroupUnreachableParams as GroupUnreachableParams
from core.messages.routing import LeadParams as LeadParams
from core.messages.routing import OfferParams as OfferParams
from core.messages.routing import offer_outcomes as offer_outcomes
from core.messages.team import AwayChangedParams as AwayChangedParams
from core.messages.team import ContactRemovedParams as ContactRemovedParams
from core.messages.team import InviteAcceptedParams as InviteAcceptedParams
from core.messages.team import OfferWithdrawnParams as OfferWithdrawnParams
from core.messages.whatsapp import WhatsAppMessageParams as WhatsAppMessageParams
from core.messages.work import CardMovedParams as CardMovedParams
from core.messages.work import CardParams as CardParams
from core.messages.work import ContactMissedParams as ContactMissedParams
from core.messages.work import ContactNudgeParams as ContactNudgeParams
from core.messages.work import MissClosedParams as MissClosedParams
from core.messages.work import NurturedParams as NurturedParams
from core.messages.work import OutcomeAnsweredParams as OutcomeAnsweredParams
from core.messages.work import OutcomePromptParams as OutcomePromptParams
from core.messages.work import ReclaimedParams as ReclaimedParams
from core.messages.work import ReclaimWarningParams as ReclaimWarningParams
from core.messages.work import ReminderAnsweredParams as ReminderAnsweredParams
from core.messages.work import ReminderParams as ReminderParams
from core.model import Agent, OutgoingMessage
from core.refs import REFS as REFS
from core.refs import AssignmentRef as AssignmentRef
from core.refs import CardRef as CardRef
from core.refs import EscalationRef as EscalationRef
from core.refs import MissRef as MissRef
from core.refs import OfferRef as OfferRef
from core.refs import Ref as Ref
from core.refs import ReminderRef as ReminderRef
from core.refs import RoundRef as RoundRef
from core.refs import TeamPostRef as TeamPostRef
from core.refs import parse_ref as parse_ref


class Template(StrEnum):
    """What a message says; the bot has one renderer for each."""

    OFFER = "offer"
    CLAIM_OFFER = "claim_offer"
    CLAIM_GROUP = "claim_group"
    CLAIM_GROUP_TAKEN = "claim_group_taken"
    CLAIM_GROUP_EXPIRED = "claim_group_expired"
    CLAIM_TAKEN = "claim_taken"
    OFFER_ACCEPTED = "offer_accepted"
    LEAD_ASSIGNED = "lead_assigned"
    OFFER_DECLINED = "offer_declined"
    OFFER_EXPIRED = "offer_expired"
    ESCALATED = "escalated"
    ESCALATION_CLOSED = "escalation_closed"
    AUDIT_REPORT = "audit_report"
    GROUP_UNREACHABLE = "group_unreachable"
    AGENT_UNREACHABLE = "agent_unreachable"
    CARD = "card"
    CARD_MOVED = "card_moved"
    REMINDER = "reminder"
    REMINDER_ANSWERED = "reminder_answered"
    NURTURED = "nurtured"
    CONTACT_MISSED = "contact_missed"
    MISS_CLOSED = "miss_closed"
    CONTACT_NUDGE = "contact_nudge"
    RECLAIM_WARNING = "reclaim_warning"
    RECLAIMED = "reclaimed"
    OUTCOME_PROMPT = "outcome_prompt"
    OUTCOME_ANSWERED = "outcome_answered"
    OFFER_WITHDRAWN = "offer_withdrawn"
    AWAY_CHANGED = "away_changed"
    CONTACT_REMOVED = "contact_removed"
    INVITE_ACCEPTED = "invite_accepted"
    TEAM_ESCALATED = "team_escalated"
    DIGEST = "digest"
    TEAM_DIGEST = "team_digest"
    DIGEST_CHARTS = "digest_charts"  # Monday's: last week's charts, an album under the digest
    INTAKE_FAILED = "intake_failed"
    WHATSAPP_MESSAGE = "whatsapp_message"

PARAMS: Mapping[Template, type[Params]] = {
    Template.OFFER: OfferParams,
    Template.CLAIM_OFFER: OfferParams,
    Template.CLAIM_GROUP: ClaimGroupParams,
    Template.CLAIM_GROUP_TAKEN: ClaimedParams,
    Template.CLAIM_GROUP_EXPIRED: LeadParams,
    Template.CLAIM_TAKEN: ClaimedParams,
    Template.OFFER_ACCEPTED: AcceptedParams,
    Template.LEAD_ASSIGNED: AssignedParams,
    Template.OFFER_DECLINED: DeclinedParams,
    Template.OFFER_EXPIRED: ExpiredParams,
    Template.ESCALATED: EscalatedParams,
    Template.ESCALATION_CLOSED: EscalationClosedParams,
    Template.AUDIT_REPORT: AuditReportParams,
    Template.GROUP_UNREACHABLE: GroupUnreachableParams,
    Template.AGENT_UNREACHABLE: AgentUnreachableParams,
    Template.CARD: CardParams,
    Template.CARD_MOVED: CardMovedParams,
    Template.REMINDER: ReminderParams,
    Template.REMINDER_ANSWERED: ReminderAnsweredParams,
    Template.NURTURED: NurturedParams,
    Template.CONTACT_MISSED: ContactMissedParams,
    Template.MISS_CLOSED: MissClosedParams,
    Template.CONTACT_NUDGE: ContactNudgeParams,
    Template.RECLAIM_WARNING: ReclaimWarningParams,
    Template.RECLAIMED: ReclaimedParams,
    Template.OUTCOME_PROMPT: OutcomePromptParams,
    Template.OUTCOME_ANSWERED: OutcomeAnsweredParams,
    Template.OFFER_WITHDRAWN: OfferWithdrawnParams,
    Template.AWAY_CHANGED: AwayChangedParams,
    Template.CONTACT_REMOVED: ContactRemovedParams,
    Template.INVITE_ACCEPTED: InviteAcceptedParams,
    Template.TEAM_ESCALATED: TeamEscalatedParams,
    Template.DIGEST: DigestParams,
    Template.TEAM_DIGEST: DigestParams,
    Template.DIGEST_CHARTS: DigestChartsParams,
    Template.INTAKE_FAILED: IntakeFailedParams,
    Template.WHATSAPP_MESSAGE: WhatsAppMessageParams,
}
"""The parameters each template takes."""


class ContactDetailsLeak(ValueError):
    """Contact details addressed to a chat that is not a private one: a bug, refused."""


def is_private_chat(chat_id: int) -> bool:
    """Whether *chat_id* is a person's private chat with the bot.

    Telegram gives a private chat its person's (positive) user id; groups, supergroups and
    channels have negative ids.
    """
    return chat_id > 0


def compose(chat_id: int, template: Template, params: Params, *, lang: str, at: datetime,
            ref: Ref | None = None, edit_ref: Ref | None = None) -> OutgoingMessage:
    """The outbox row for *template* with *params*, in *lang*.

    Contact details go only to private chats: a row that would put them in a group is a
    bug, and raising here fails it loudly instead of leaking them to everyone there.
    """
    if not isinstance(params, PARAMS[template]):
        raise TypeError(f"{template} takes {PARAMS[template].__name__}, "
                        f"not {type(params).__name__}")
    if params.carries_contact() and not is_private_chat(chat_id):
        raise ContactDetailsLeak(f"{template} carries contact details; chat {chat_id} is not "
                                 "a private chat")
    return OutgoingMessage(chat_id, template, {**params.to_json(), "lang": lang}, at,
                           ref=ref.format() if ref else None,
                           edit_ref=edit_ref.format() if edit_ref else None)


def to_person(person: Agent, template: Template, params: Params, *, office_language: str,
              at: datetime, ref: Ref | None = None,
              edit_ref: Ref | None = None) -> OutgoingMessage:
    """The row for *person*'s private chat, in their language (the office's if they set none).

    Callers pick only people with a chat; one without is a bug, not something to send.
    """
    if person.chat_id is None:
        raise ValueError(f"{person.name} has no chat to send {template!r} to")
    return compose(person.chat_id, template, params, lang=person.language or office_language,
                   at=at, ref=ref, edit_ref=edit_ref)
