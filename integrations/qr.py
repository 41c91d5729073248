"""core's QrCodes port on the `segno` package (pure Python, no image library needed)."""

from __future__ import annotations

import io

import segno


class SegnoQrCodes:
    """QR codes as PNG images, large enough to scan from another phone's screen."""

    def __init__(self, *, scale: int = 10, border: int = 4) -> None:
        self._scale, self._border = scale, border

    def png(self, text: str) -> bytes:
        """A PNG of *text*'s QR code, with medium error correction (a screen's glare)."""
        out = io.BytesIO()
        segno.make(text, error="m", micro=False).save(
            out, kind="png", scale=self._scale, border=self._border)
        return out.getvalue()
