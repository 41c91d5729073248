"""The unit of work: one transaction over every repository the use cases need."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from core.ports.chat_imports import ChatImportRepository
from core.ports.coverage import CoverageRepository
from core.ports.exports import ExportRepository
from core.ports.failures import FailedIntakeRepository
from core.ports.fairness import FairnessRepository
from core.ports.fetches import LeadFetchRepository
from core.ports.inbound import InboundMessageRepository
from core.ports.numbers import NumbersRepository
from core.ports.report import ReportSeries
from core.ports.repositories import (
    AgentRepository,
    ContactRepository,
    EventRepository,
    LeadRepository,
    OfferRepository,
    Outbox,
    PersonalData,
    RotationRepository,
)
from core.ports.team import TeamRepository
from core.ports.work import CardRepository, PromptRepository, TaskRepository


class UnitOfWork(Protocol):
    """One transaction: rolls back unless commit() is called."""

    @property
    def agents(self) -> AgentRepository:
        """The agents of this transaction."""
        ...

    @property
    def contacts(self) -> ContactRepository:
        """The contacts of this transaction."""
        ...

    @property
    def leads(self) -> LeadRepository:
        """The leads of this transaction."""
        ...

    @property
    def offers(self) -> OfferRepository:
        """The offers of this transaction."""
        ...

    @property
    def rotations(self) -> RotationRepository:
        """The rotations of this transaction."""
        ...

    @property
    def events(self) -> EventRepository:
        """The events of this transaction."""
        ...

    @property
    def outbox(self) -> Outbox:
        """The outbox of this transaction."""
        ...

    @property
    def personal(self) -> PersonalData:
        """What is held about people, for exports and erasure."""
        ...

    @property
    def tasks(self) -> TaskRepository:
        """The tasks on leads of this transaction."""
        ...

    @property
    def cards(self) -> CardRepository:
        """The live cards of this transaction."""
        ...

    @property
    def prompts(self) -> PromptRepository:
        """The questions waiting for a typed answer, in this transaction."""
        ...

    @property
    def team(self) -> TeamRepository:
        """The office settings, invitations and availability history of this transaction."""
        ...

    @property
    def failed_intake(self) -> FailedIntakeRepository:
        """The payloads that could not become leads, in this transaction."""
        ...

    @property
    def chat_imports(self) -> ChatImportRepository:
        """The files sent to the bot for import, in this transaction."""
        ...

    @property
    def lead_fetches(self) -> LeadFetchRepository:
        """The leads an ad platform announced by id, in this transaction."""
        ...

    @property
    def inbound(self) -> InboundMessageRepository:
        """The platforms' messages taken so far, by id, in this transaction."""
        ...

    @property
    def coverage(self) -> CoverageRepository:
        """Capacity, coverage and automation health, read in this transaction."""
        ...

    @property
    def numbers(self) -> NumbersRepository:
        """The managers' numbers of a period, as this transaction reads them."""
        ...

    @property
    def fairness(self) -> FairnessRepository:
        """The routing decisions' shares, for the fairness audit, in this transaction."""
        ...

    @property
    def exports(self) -> ExportRepository:
        """The leads of a period for an export, and the exports' log, in this transaction."""
        ...

    @property
    def report_series(self) -> ReportSeries:
        """The counts behind /report's charts, in this transaction."""
        ...

    def reading(self) -> AbstractAsyncContextManager[Self]:
        """Begin a transaction that only reads: it never waits for the writers' turn, and
        writing or committing through it fails."""
        ...

    async def __aenter__(self) -> Self:
        """Begin the transaction."""
        ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None:
        """Make the changes durable, then run the after-commit wake-ups."""
        ...

    def wake_at(self, when: datetime) -> None:
        """Ask the runtime to wake up at *when*, once this transaction has committed."""
        ...
