"""Running Alembic migrations on the application's own async engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config that needs no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database schema up to *revision*."""
    async with engine.begin() as conn:
        await conn.run_sync(_run, "upgrade", revision)


async def revise(engine: AsyncEngine, message: str) -> None:
    """Autogenerate a new revision against the current database (for developers)."""
    async with engine.begin() as conn:
        await conn.run_sync(_run, "revision", message)


def _run(connection: Connection, action: str, argument: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    if action == "upgrade":
        command.upgrade(config, argument)
    else:
        command.revision(config, message=argument, autogenerate=True, rev_id=None)
