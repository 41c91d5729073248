"""Marks on a lead's path (stored, routed, claimed, sent…) for `bench/trace.py` to time.

Off unless `LOG_TRACE` names a file: a mark then costs one `isEnabledFor` check. Each mark is a
DEBUG record of the `leadrelay.trace` logger whose message is the stage and the lead ids; its
time is the record's own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

TRACE_LOGGER = "leadrelay.trace"
_log = logging.getLogger(TRACE_LOGGER)


def mark(stage: str, lead_ids: Iterable[int]) -> None:
    """Note that the leads *lead_ids* passed *stage* just now."""
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug("%s %s", stage, ",".join(str(i) for i in lead_ids))
