"""Choosing who gets a lead, by ordered rules that explain every decision."""

from core.routing.base import AgentStats, Candidate, Decision, RuleState, Situation, Skip, Step
from core.routing.engine import STRATEGIES, RoutingRules, decide, first_matching_rule

__all__ = ["STRATEGIES", "AgentStats", "Candidate", "Decision", "RoutingRules", "RuleState",
           "Situation", "Skip", "Step", "decide", "first_matching_rule"]
