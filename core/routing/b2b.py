"""B2B routing: the intent × fit matrix and named accounts."""

from __future__ import annotations

from dataclasses import dataclass

from core.config import Account, Fit, IntentLevel, Matrix, RoutingPolicy
from core.lead_input import INTENTS
from core.model import Lead
from core.routing.conditions import fold


@dataclass(frozen=True)
class MatrixCell:
    """Where a rule's matrix sent a lead, and what it read off the lead to do so."""

    rule: str
    intent: IntentLevel
    fit: Fit
    intent_given: bool
    fit_given: bool
    target: str

    def as_trace(self) -> dict[str, object]:
        """Plain data for the decision's trace."""
        return {"rule": self.rule, "intent": self.intent.value, "fit": self.fit.value,
                "intent_given": self.intent_given, "fit_given": self.fit_given,
                "target": self.target}


def matrix_cell(rule_name: str, matrix: Matrix, lead: Lead) -> MatrixCell:
    """The cell of *matrix* this lead falls in; unknown intent counts as low, fit as weak."""
    intent = INTENTS.get(lead.intent or "")
    fit = Fit(lead.fit) if lead.fit in set(Fit) else None
    level = intent or IntentLevel.LOW
    strength = fit or Fit.WEAK
    return MatrixCell(rule_name, level, strength, intent is not None, fit is not None,
                      matrix.cell(level, strength))


def account_of(policy: RoutingPolicy, lead: Lead) -> Account | None:
    """The named account a lead belongs to, by company name or e-mail domain."""
    if not policy.accounts:
        return None
    company = fold(lead.company) if lead.company else None
    domain = lead.email.rpartition("@")[2] if lead.email else None
    for account in policy.accounts:
        if company is not None and fold(account.name) == company:
            return account
        if domain is not None and domain in account.domains:
            return account
    return None
