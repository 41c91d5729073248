"""Words as people type them on a phone, folded so a parser matches one spelling per word."""

from __future__ import annotations

# Turkish letters and the ASCII ones people type without a Turkish keyboard ("yarin" for
# "yarın"). Not NFKD: that would turn "²" into "2" and "４" into "4", digits the parsers refuse.
_ASCII = str.maketrans({
    "ı": "i", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u", "â": "a", "î": "i", "û": "u",
    "\u0307": None,  # the dot of an "İ" typed as I + combining dot
})


def fold(text: str) -> str:
    """Lower-case *text* by Turkish rules (I→ı, İ→i) and spell its Turkish letters in ASCII."""
    return text.replace("I", "ı").replace("İ", "i").lower().translate(_ASCII)
