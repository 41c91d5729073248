"""The composition root: the one place the use cases are bound to a clock, a config and
storage. Faces receive the App it builds; nothing in core, bot or webhooks imports this."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App, Signals
from core.clock import Clock
from core.config import OfficeConfig
from core.deps import Deps, UowFactory
from leadrelay.calendar import business_calendar
from leadrelay.clock import SystemClock
from storage.db import create_engine
from storage.repositories.outbox import Claimant
from storage.uow import SqlUnitOfWork

UowBinder = Callable[[Signals], UowFactory]
"""Units of work (real or fake) that report each commit to the given signals."""


def new_token() -> str:
    """A short unguessable per-offer token for callback data."""
    return secrets.token_urlsafe(6)


def new_invite_code() -> str:
    """An invitation's code: 192 random bits, as 32 characters a Telegram deep link allows."""
    return secrets.token_urlsafe(24)


def bootstrap(
    *,
    config: OfficeConfig,
    clock: Clock,
    uow_factory: UowBinder,
    signals: Signals | None = None,
    token_factory: Callable[[], str] = new_token,
    invite_codes: Callable[[], str] = new_invite_code,
) -> App:
    """The App for *config*: use cases on *clock* and on units of work that report each
    commit to *signals* (new deadlines, chats with new mail)."""
    deps = Deps(clock=clock, config=config, new_token=token_factory,
                business_calendar=business_calendar(config), new_invite_code=invite_codes)
    return App(deps=deps, uow=uow_factory(signals or Signals()))


def sql_uow_factory(engine: AsyncEngine, *, claimant: Claimant | None = None) -> UowBinder:
    """The production unit of work on a SQLAlchemy engine; *claimant*: the dispatcher that
    takes new mail as it commits (SQLite)."""

    def bind(signals: Signals) -> UowFactory:
        return lambda: SqlUnitOfWork(engine, after_commit=signals.after_commit,
                                     claimant=claimant)

    return bind


@asynccontextmanager
async def migrated_app(database_url: str, config: OfficeConfig) -> AsyncIterator[App]:
    """The App of a command-line run on a database brought up to date, its engine disposed
    of afterwards."""
    from storage.migrate import upgrade  # alembic: only the commands that migrate load it

    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        yield bootstrap(config=config, clock=SystemClock(), uow_factory=sql_uow_factory(engine))
    finally:
        await engine.dispose()
