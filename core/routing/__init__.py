"""Choosing the agent a lead is offered to, with a trace that explains the choice."""

from core.routing.base import Decision, Skip, Strategy, eligible
from core.routing.round_robin import RoundRobin

__all__ = ["Decision", "RoundRobin", "Skip", "Strategy", "eligible"]
