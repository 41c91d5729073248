"""What stops start-up, said in one line that names the problem and what to do."""

from __future__ import annotations

import errno
from pathlib import Path

from core.config import OfficeConfig
from core.errors import ConfigError

# The tokens leadrelay.example.yaml publishes: anyone who read the README knows them.
EXAMPLE_TOKEN_PREFIX = "change-me-"


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line an operator reads."""


def refuse_example_tokens(config: OfficeConfig, path: Path) -> None:
    """ConfigError naming the file and the source if a source still has a published token
    (or another secret the example publishes)."""
    for index, source in enumerate(config.sources):
        for key, secret in source.secrets.items():
            if not secret.startswith(EXAMPLE_TOKEN_PREFIX):
                continue
            if key != "token":
                raise ConfigError(
                    f"{path}: sources[{index}].{key}: source {source.name!r} still has the "
                    f"example's {key}; copy the real one from the platform's console")
            raise ConfigError(
                f"{path}: sources[{index}].token: source {source.name!r} still has the "
                "example's published token; set a long random one of your own (for example "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(24))'`)")


def port_problem(exc: OSError, *, host: str, port: int) -> str | None:
    """One line if the intake server could not listen on its address."""
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use; stop what listens there or set "
                "HTTP_PORT to a free port")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"not allowed to listen on port {port} on {host}; use a port above 1023 "
                "(HTTP_PORT) and a reverse proxy in front")
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; fix HTTP_HOST"
    return None
