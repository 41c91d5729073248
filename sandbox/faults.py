"""Telegram errors a test makes the sandbox answer on purpose, to the next calls of a method."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.base import _SandboxState
from sandbox.values import ApiError


@dataclass
class _Fault:
    error_code: int
    description: str
    retry_after: int | None
    times: int


class _FaultsMixin(_SandboxState):
    """fail_next() and the injection of the errors it queued."""

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of method fail with this Telegram error."""
        self._faults.setdefault(method.lower(), []).append(
            _Fault(error_code, description, retry_after, times)
        )

    def _inject_fault(self, key: str) -> None:
        faults = self._faults.get(key)
        if not faults:
            return
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        raise ApiError(fault.error_code, fault.description, fault.retry_after)
