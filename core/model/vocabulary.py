"""The words the domain speaks in: temperatures, roles, statuses, stages and outcomes."""

from __future__ import annotations

from enum import StrEnum


class Temperature(StrEnum):
    """How urgently a lead must be answered."""

    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class Role(StrEnum):
    """What a person on the roster may do."""

    AGENT = "agent"
    MANAGER = "manager"


class Channel(StrEnum):
    """Kinds of lead source, each with a default warmth."""

    REFERRAL = "referral"
    WHATSAPP = "whatsapp"
    WEB_FORM = "web_form"
    GOOGLE_ADS = "google_ads"
    META = "meta"
    FAIR = "fair"
    ORGANIC = "organic"
    DATABASE = "database"
    OTHER = "other"
    MANUAL = "manual"  # taken by phone or at the door and entered with /new


class Tier(StrEnum):
    """Performance tier: A converts best."""

    A = "A"
    B = "B"
    C = "C"


class Weekday(StrEnum):
    """Days of the week, as written in the config."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class LeadStatus(StrEnum):
    """Who holds a lead right now."""

    NEW = "new"  # stored and answered; routing takes it next (milliseconds, in one batch)
    OFFERED = "offered"  # an offer waits for an agent's Accept
    WITH_MANAGERS = "with_managers"  # nobody accepted in time; a manager must assign it
    OWNED = "owned"  # an agent owns it and works it
    CLOSED = "closed"  # won or lost
    NURTURE = "nurture"  # no owner for now, by the routing policy; listed for managers
    DISQUALIFIED = "disqualified"  # the policy turned it away (B2B: low intent, weak fit)
    REVIVED = "revived"  # was in nurture; the contact came back and a newer lead took over
    # Imported with --route: waits in the import pool until the sweep releases it to routing
    # at the office's pace (`work.imports.pace_per_agent_hour`); then NEW.
    QUEUED = "queued"


# A lead someone works or is about to: a new inquiry of its contact while one is, is a
# duplicate (counted in no figure).
OPEN_STATUSES = frozenset({LeadStatus.NEW, LeadStatus.OFFERED, LeadStatus.WITH_MANAGERS,
                           LeadStatus.OWNED})
# A lead nobody owns or is asked to accept now, which a manager may /assign.
ASSIGNABLE = frozenset({LeadStatus.NEW, LeadStatus.WITH_MANAGERS, LeadStatus.NURTURE,
                        LeadStatus.QUEUED})


class Stage(StrEnum):
    """How far the owner has taken a lead."""

    NEW = "new"
    CONTACTED = "contacted"
    INFO_SENT = "info_sent"
    APPOINTMENT = "appointment"
    OFFER = "offer"
    WON = "won"
    LOST = "lost"
    NURTURE = "nurture"  # not now: kept warm for later, outside the order


STAGE_ORDER = [Stage.NEW, Stage.CONTACTED, Stage.INFO_SENT, Stage.APPOINTMENT, Stage.OFFER,
               Stage.WON]
CLOSING_STAGES = frozenset({Stage.WON, Stage.LOST})
# Why a lead was taken back from its owner: a missed first contact, or a reclaim rule.
RECLAIM_REASONS = ("first_contact", "no_contact", "no_progress", "too_long")


class LostReason(StrEnum):
    """Why a lead was lost, as the owner says it."""

    PRICE = "price"
    LOCATION = "location"
    BOUGHT_ELSEWHERE = "elsewhere"
    NOT_REACHABLE = "unreachable"
    NOT_SERIOUS = "not_serious"
    OTHER = "other"


class TaskKind(StrEnum):
    """What a task on a lead asks of its owner at its time."""

    REMINDER = "reminder"  # the owner's Remind me
    APPOINTMENT = "appointment"  # a meeting booked with the contact
    NEXT_TRY = "next_try"  # call again: planned after a try that reached nobody
    FOLLOW_UP = "follow_up"  # get back to the contact: planned after a stage
    # The system's own clocks, which remind nobody of a task but take a step when due:
    FIRST_CONTACT = "first_contact"  # not reached by its deadline: managers, then reclaim
    RECLAIM = "reclaim"  # the reclaim rules' watch: warn the owner, then take the lead back
    OUTCOME = "outcome"  # ask the owner where a lead stands when its stage has not moved

    @property
    def shown(self) -> bool:
        """Whether the owner sees it as a task of theirs (on the card and in /today)."""
        return self not in (TaskKind.RECLAIM, TaskKind.OUTCOME)


class OfferStatus(StrEnum):
    """Where one offer to one agent stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # a claim pool offer someone claimed first, or never posted


class OfferKind(StrEnum):
    """An offer to one agent, or one member's share of a first-to-claim pool round."""

    OFFER = "offer"
    CLAIM = "claim"


class DeclineReason(StrEnum):
    """Why an agent passed on a lead."""

    BUSY = "busy"
    NOT_MY_AREA = "area"
    NOT_MY_PRODUCT = "product"
    OTHER = "other"
    UNREACHABLE = "unreachable"  # Telegram refused: the agent blocked the bot or left
    AWAY = "away"  # withdrawn by the system: the agent went away or was deactivated


class ReassignReason(StrEnum):
    """Why a manager gives an owned lead to someone else (stored in its `reassigned` event)."""

    NOT_CONTACTED = "not_contacted"
    CUSTOMER_ASKED = "customer"
    BETTER_FIT = "fit"
    WORKLOAD = "workload"
    OTHER = "other"


class ReturnReason(StrEnum):
    """Why an owner hands a lead back (stored in its `returned` event)."""

    NOT_MY_AREA = "area"
    CANT_REACH = "unreachable"
    TOO_BUSY = "busy"
    CONFLICT = "conflict"
    OTHER = "other"


class RouteOutcome(StrEnum):
    """Where a routing decision sends a lead."""

    OFFER = "offer"  # to one agent
    POOL = "pool"  # to every member of a first-to-claim pool
    MANAGERS = "managers"
    NURTURE = "nurture"
    DISQUALIFIED = "disqualified"


class PromptKind(StrEnum):
    """What a typed answer is for."""

    OFFER_AMOUNT = "offer_amount"
    WON_AMOUNT = "won_amount"
    NOTE = "note"
    APPOINTMENT = "appointment"
    NEW_LEAD = "new_lead"  # a step of /new
    PROFILE_FIELD = "profile_field"  # a field of someone's profile (data: whose, which)
