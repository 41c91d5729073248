"""Domain errors, translated once at each edge (HTTP status in webhooks/, an alert in bot/)."""

from __future__ import annotations

from dataclasses import dataclass


class ConfigError(Exception):
    """The office config cannot be used, and why: the file, the key path and the problem."""


class StorageUnavailable(Exception):
    """The database does not answer now (down, unreachable, out of connections or disk):
    nothing was changed, and the same request may succeed later."""


class DomainError(Exception):
    """Something a user asked for that the rules do not allow; carries a catalog key."""

    key = "error.generic"

    def __init__(self, detail: str = "", **params: object) -> None:
        super().__init__(detail or self.key)
        self.detail = detail
        self.params = params


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one input field."""

    field: str
    problem: str


class InvalidInput(DomainError):
    """Input that fails validation; names every field at fault."""

    key = "error.invalid_input"

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.problem}" for p in problems))
        self.problems = problems


class UnknownSource(DomainError):
    """A webhook token that matches no configured intake source."""

    key = "error.unknown_source"


class UnknownAgent(DomainError):
    """A Telegram user who is not on the office roster."""

    key = "error.unknown_agent"


class NotAManager(DomainError):
    """A manager-only action asked for by someone who is not a manager."""

    key = "error.not_a_manager"


class NotFound(DomainError):
    """A lead or offer id that does not exist (or is not visible to the asker)."""

    key = "error.not_found"


class NotYourOffer(DomainError):
    """A button pressed by someone other than the agent the offer was made to."""

    key = "error.not_your_offer"


class OfferNoLongerOpen(DomainError):
    """A button on an offer that was already accepted, declined, expired or withdrawn."""

    key = "error.offer_closed"


class NotInPool(DomainError):
    """A Claim pressed in a pool's group by someone the lead was not posted to."""

    key = "error.not_in_pool"


class StartFirst(DomainError):
    """A Claim or Accept pressed by someone with no private chat with the bot (yet, or any
    more): the contact details would have nowhere to go."""

    key = "error.start_first"


class AlreadyClaimed(DomainError):
    """A Claim pressed after another member of the pool claimed the lead first."""

    key = "error.already_claimed"


class LeadAlreadyHandled(DomainError):
    """A manager action on a lead that someone else already assigned."""

    key = "error.lead_handled"


class NotYourLead(DomainError):
    """An outcome logged by someone who does not own the lead."""

    key = "error.not_your_lead"


class InvalidTransition(DomainError):
    """An outcome that does not fit the lead's current stage."""

    key = "error.invalid_transition"


class Conflict(DomainError):
    """A concurrent writer got there first; the caller may retry the whole unit of work."""

    key = "error.conflict"


class NotAPrivateChat(DomainError):
    """Start pressed in a group (or any chat but the person's own private one)."""

    key = "error.private_only"


class NotAnAmount(DomainError):
    """A Won amount written with digits other than 0-9 (superscripts, other scripts)."""

    key = "error.not_an_amount"


class AmountTooLarge(DomainError):
    """A Won amount over the office's max_amount."""

    key = "error.amount_too_large"


class NothingToUndo(DomainError):
    """Undo pressed when the lead's last change was not a stage change (or was undone)."""

    key = "error.nothing_to_undo"


class UndoTooLate(DomainError):
    """Undo pressed after its window; a manager can still correct the stage."""

    key = "error.undo_too_late"


class InThePast(DomainError):
    """An appointment or a reminder set for a time already gone."""

    key = "error.in_the_past"


class EmptyNote(DomainError):
    """A note with nothing in it."""

    key = "error.empty_note"


class NotATime(DomainError):
    """A typed appointment time that reads as no time."""

    key = "error.not_a_time"


class NotAPhone(DomainError):
    """A phone number typed into /new that is no number anyone can call."""

    key = "error.not_a_phone"


class EmptyAnswer(DomainError):
    """An answer to a question of /new with nothing in it."""

    key = "error.empty_answer"


class AnswerTooLong(DomainError):
    """An answer to a question of /new longer than the field it fills holds."""

    key = "error.too_long"


class NotTheQuestion(DomainError):
    """A button of a question of /new that was answered already (or of no question)."""

    key = "error.entry_moved_on"


class BadProfileValue(DomainError):
    """A value typed or chosen for a profile field that its field does not take; the key
    names the field (`roster.bad.capacity`…), so the person reads what it does take."""

    key = "roster.bad"

    def __init__(self, field: str, text: str = "") -> None:
        super().__init__(f"{field}: {text}", text=text)
        self.key = f"roster.bad.{field}"
        self.field = field


class NameTaken(DomainError):
    """A name someone else on the roster already has (routing pools name people)."""

    key = "roster.name_taken"


class NameInRules(DomainError):
    """A new name for someone leadrelay.yaml's routing rules or accounts name by the old one."""

    key = "roster.name_in_rules"


class LastManager(DomainError):
    """A role change or deactivation that would leave the office with no active manager:
    nobody could take escalations or assign leads."""

    key = "roster.last_manager"


class AmbiguousAgent(DomainError):
    """A name that starts more than one person's name on the roster."""

    key = "error.ambiguous_agent"


class NotAway(DomainError):
    """/back from someone who is not away."""

    key = "error.not_away"


class NotAwayOther(DomainError):
    """A manager's /back (or Back now) for someone who is not away."""

    key = "error.not_away_other"


class InviteUnknown(DomainError):
    """A deep link whose code is no invitation of this office (mistyped, or cut short)."""

    key = "error.invite_unknown"


class InviteUsed(DomainError):
    """An invitation someone already joined with: each is good for one person."""

    key = "error.invite_used"


class InviteExpired(DomainError):
    """An invitation past its time."""

    key = "error.invite_expired"


class InviteRevoked(DomainError):
    """An invitation whose manager no longer is one: it no longer holds."""

    key = "error.invite_revoked"


class NoSuchAgent(DomainError):
    """/assign or /reassign naming nobody the lead can be given to (by id or name)."""

    key = "error.no_such_agent"


class AlreadyTheirs(DomainError):
    """A lead reassigned to the agent who owns it already."""

    key = "error.already_theirs"


class ChangedHands(DomainError):
    """A reassignment chosen while the lead had another owner: someone moved it first."""

    key = "error.changed_hands"


class UseReassign(DomainError):
    """/assign on a lead someone owns: /reassign moves it."""

    key = "error.use_reassign"


class UseAssign(DomainError):
    """/reassign on a lead nobody owns (or closed): /assign gives it, if it waits."""

    key = "error.use_assign"


class NotAGroup(DomainError):
    """/setgroup sent anywhere but in a group the bot is in."""

    key = "error.not_a_group"
