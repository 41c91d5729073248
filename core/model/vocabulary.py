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


class Stage(StrEnum):
    """How far the owner has taken a lead."""

    NEW = "new"
    CONTACTED = "contacted"
    APPOINTMENT = "appointment"
    OFFER = "offer"
    WON = "won"
    LOST = "lost"


STAGE_ORDER = [Stage.NEW, Stage.CONTACTED, Stage.APPOINTMENT, Stage.OFFER, Stage.WON]


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


class RouteOutcome(StrEnum):
    """Where a routing decision sends a lead."""

    OFFER = "offer"  # to one agent
    POOL = "pool"  # to every member of a first-to-claim pool
    MANAGERS = "managers"
    NURTURE = "nurture"
    DISQUALIFIED = "disqualified"
