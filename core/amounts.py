"""Money amounts as agents type them: `4.500.000 TL`, `4,5 milyon`, `450k`, `3-5 milyon`.

The whole text must be the amount: an optional currency (₺ $ € £, TL, TRY, USD, EUR, GBP,
lira, dolar…) around a number, an optional multiplier (bin/k/thousand, milyon/m/mn/million,
milyar/bn/billion), or two such values as a range (`3-5 milyon`, `3 ile 5 milyon arası`,
`between 3 and 5 million`). Text around an amount (`3 milyona sattık`) is not read, so a note
that merely mentions a number stays a note. The currency is read past, not kept.

How a number's separators read (`.`, `,`, a space; the same rules for `.` and `,`, since
Turkish and English offices use them the other way round):

- Several groups of three after the same separator are grouping: `4.500.000`, `4,500,000`,
  `4 500 000`. A different `.`/`,` at the end, before one or two digits, is the decimal mark:
  `4.500.000,50`, `4,500,000.50`.
- One `.`/`,` before one or two digits is a decimal mark: `4,5 milyon`, `4.5m`.
- One `.`/`,` before exactly three digits is grouping (`4.500` is 4500, as Turkish offices
  write it), and so it is before a thousands word (`1.500 bin` is 1,500,000). Before a million
  or a billion it is refused: `4.500 milyon` is 4.5 billion to a Turkish reader and 4.5 million
  to an English one, and a thousand-fold error is worse than a note. A first group of `0`
  cannot be grouping, so `0.750 milyon` is 750,000.
- A space is only ever grouping. Anything else (`4.5000`, `4,500.000`, `25.12.2026`) is not a
  number.

A fraction left after the multiplier is rounded half up to a whole unit (`4,5` is 5). In a
range, a low bound without a multiplier takes the high bound's (`3-5 milyon`), unless the low
is written out in groups and the high is not (`450.000 - 1 milyon`). A range whose low is
above its high is refused rather than swapped: `500 - 1 milyon` is more likely a slip in one
bound than the bounds typed in the wrong order. A leading minus, no digits, `NaN` and the
like are not amounts (None): refused ranges and those stay the caller's note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import AmountTooLarge, NotAnAmount
from core.spelling import fold


@dataclass(frozen=True)
class Amount:
    """An amount in whole units of its currency, or a range of them."""

    low: int
    high: int  # equal to low for a single value


_SCALES = {
    "k": 3, "bin": 3, "thousand": 3,
    "m": 6, "mn": 6, "mln": 6, "mio": 6, "milyon": 6, "million": 6, "millions": 6,
    "milyar": 9, "mlr": 9, "bn": 9, "billion": 9, "billions": 9,
}
_CURRENCIES = frozenset({
    "₺", "$", "€", "£", "tl", "ytl", "try", "usd", "eur", "gbp", "lira", "dolar", "dollar",
    "dollars", "euro", "euros", "avro", "sterlin", "pound", "pounds",
})
_DASHES = frozenset({"-", "–", "—"})
_AROUND = frozenset({"arasi", "arasinda"})  # the "arası" of "3 ile 5 milyon arası"
_TOKEN = re.compile(r"(?P<num>[0-9]+(?:[., ][0-9]+)*)|(?P<word>[^\W\d_]+)|(?P<sym>\S)")
_SEPARATOR = re.compile(r"([., ])")
_ASCII_DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class _Number:
    """A number as written: its whole digits, its fraction digits, how it was grouped."""

    whole: str
    fraction: str
    grouped: bool
    ambiguous: bool  # one `.`/`,` before three digits: grouping or a decimal mark


@dataclass(frozen=True)
class _Value:
    number: _Number
    scale: int | None  # the power of ten of its multiplier


def parse_amount(text: str, *, cap: int) -> Amount | None:
    """The amount or range *text* gives, or None when it is not one (so it stays a note).

    Raises NotAnAmount when the amount is written with numerals other than 0-9 (`²`, `٢٥٠٠`)
    and AmountTooLarge when a bound is over *cap*, judged from the digits' count before any
    long digit string is converted.
    """
    # Other numerals stand in as "1" so the shape is judged as it would be with 0-9: an
    # amount shape refuses them, while a note that has one elsewhere ("120 m² daire") stays.
    foreign = any(c.isnumeric() and c not in _ASCII_DIGITS for c in text)
    if foreign:
        text_shape = "".join("1" if c.isnumeric() and c not in _ASCII_DIGITS else c
                             for c in text)
    else:
        text_shape = text
    parsed = _parse(_tokens(" ".join(fold(text_shape).split())))
    if parsed is None:
        return None
    if foreign:
        raise NotAnAmount(text=text.strip()[:40])
    low, high = parsed
    if high is None:
        value = _value(low, cap)
        return None if value is None else Amount(value, value)
    if low.scale is None and high.scale is not None and not (
            low.number.grouped and not high.number.grouped):
        low = _Value(low.number, high.scale)
    low_value, high_value = _value(low, cap), _value(high, cap)
    if low_value is None or high_value is None or low_value > high_value:
        return None
    return Amount(low_value, high_value)


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(match.lastgroup or "", match.group()) for match in _TOKEN.finditer(text)]


def _parse(tokens: list[tuple[str, str]]) -> tuple[_Value, _Value | None] | None:
    """The one or two values of a whole text, by the grammar of the module docstring."""
    words = [text for _, text in tokens]
    if words[:1] in (["between"], ["from"]):
        joiners = {"between": {"and"}, "from": {"to"}}[words[0]]
        first = _read_value(tokens, 1)
        if first is None or first[1] >= len(tokens) or words[first[1]] not in joiners:
            return None
        second = _read_value(tokens, first[1] + 1)
        return (first[0], second[0]) if second and second[1] == len(tokens) else None
    first = _read_value(tokens, 0)
    if first is None:
        return None
    low, at = first
    if at == len(tokens):
        return low, None
    joiner = words[at]
    if joiner not in _DASHES | {"to", "ile", "ila"}:
        return None
    second = _read_value(tokens, at + 1)
    if second is None:
        return None
    high, at = second
    if at < len(tokens) and joiner != "to" and words[at] in _AROUND:
        at += 1
    return (low, high) if at == len(tokens) else None


def _read_value(tokens: list[tuple[str, str]], at: int) -> tuple[_Value, int] | None:
    """A value from *at*: [currency] number [multiplier] [currency], and where it ends."""
    if at < len(tokens) and tokens[at][1] in _CURRENCIES:
        at += 1
    if at >= len(tokens) or tokens[at][0] != "num":
        return None
    number = _number(tokens[at][1])
    if number is None:
        return None
    at += 1
    scale = None
    if at < len(tokens) and tokens[at][1] in _SCALES:
        scale = _SCALES[tokens[at][1]]
        at += 1
    if at < len(tokens) and tokens[at][1] in _CURRENCIES:
        at += 1
    return _Value(number, scale), at


def _number(written: str) -> _Number | None:
    """Read a run of digits and separators by the rules of the module docstring."""
    parts = _SEPARATOR.split(written)
    groups, separators = parts[0::2], parts[1::2]
    if not separators:
        return _Number(written, "", grouped=False, ambiguous=False)
    fraction = ""
    last = separators[-1]
    if last in ".," and len(groups[-1]) <= 2 and (len(separators) == 1 or last != separators[0]):
        fraction, groups, separators = groups[-1], groups[:-1], separators[:-1]
        if not separators:
            return _Number(groups[0], fraction, grouped=False, ambiguous=False)
    elif (len(separators) == 1 and last in ".," and groups[0].startswith("0")
            and len(groups[1]) == 3):
        return _Number(groups[0], groups[1], grouped=False, ambiguous=False)  # 0.750
    if (len(set(separators)) != 1 or not 1 <= len(groups[0]) <= 3 or groups[0][0] == "0"
            or any(len(group) != 3 for group in groups[1:])):
        return None
    ambiguous = len(separators) == 1 and not fraction and separators[0] in ".,"
    return _Number("".join(groups), fraction, grouped=True, ambiguous=ambiguous)


def _value(value: _Value, cap: int) -> int | None:
    """The value in whole units, rounded half up; None when its grouping is ambiguous."""
    scale = value.scale or 0
    number = value.number
    if number.ambiguous and scale > 3:
        return None
    significant = number.whole.lstrip("0")
    # At least 10**(len - 1 + scale): over the cap without converting a long digit string.
    if significant and len(significant) - 1 + scale >= len(str(cap)):
        raise AmountTooLarge(cap=cap)
    numerator: int = int((significant or "0") + number.fraction) * 10**scale
    denominator: int = 10 ** len(number.fraction)
    amount = (2 * numerator + denominator) // (2 * denominator)
    if amount > cap:
        raise AmountTooLarge(cap=cap)
    return amount
