"""QR codes, drawn by a library (`integrations/qr.py` on `segno`): an invitation's link as an
image a phone's camera opens."""

from __future__ import annotations

from typing import Protocol


class QrCodes(Protocol):
    """Draws QR codes."""

    def png(self, text: str) -> bytes:
        """A PNG image of the QR code of *text*."""
        ...
