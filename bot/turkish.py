"""Turkish case suffixes after a proper noun, a numeral, a time or an abbreviation.

Such words take their suffix after an apostrophe (Ayşe'ye, 03:14'ten, %50'si, THY'ye), chosen
by how the word is *said*: its last vowel for vowel harmony, whether it ends in a vowel (the
buffer letters y, n, s) and whether it ends in one of the voiceless consonants of
"fıstıkçı şahap" (d → t). A numeral is said in Turkish words, so 4 ("dört") takes 'ten.
"""

from __future__ import annotations

import re
import unicodedata

# dat Ayşe'ye, abl Ayşe'den, loc Ayşe'de, gen Ayşe'nin, acc Ayşe'yi, ins Ayşe'yle,
# poss (third person possessive, as in "taleplerin %50'si") Ayşe'si.
CASES = frozenset({"dat", "abl", "loc", "gen", "acc", "ins", "poss"})

_FRONT = frozenset("eiöü")
_ROUNDED = frozenset("ouöü")
_VOWELS = frozenset("aeıioöuü")
# "fıstıkçı şahap", and the foreign letters said as voiceless sounds (x is "ks", q is "k").
_VOICELESS = frozenset("fstkçşhpxq")
# Foreign vowels said as the Turkish vowel they sound like; others fall back to their base.
_FOREIGN = {"â": "a", "î": "i", "û": "u", "ä": "e", "æ": "e", "ø": "ö", "œ": "ö"}

# Borrowed words said with a soft (palatal) l or t take front vowels after a back one:
# Gayrimenkul'e, Kemal'e, Saat'e. The ones in names and office names, not every such word.
_PALATAL = frozenset({
    "gayrimenkul", "menkul", "kemal", "cemal", "celal", "bilal", "hilal", "nihal", "ikbal",
    "iclal", "meral", "kabul", "usul", "meşgul", "rol", "gol", "alkol", "kontrol", "petrol",
    "sembol", "protokol", "hal", "istiklal", "hayal", "saat", "dikkat", "kalp",
})
_FRONTED = {"a": "e", "ı": "i", "o": "ö", "u": "ü"}

_ONES = ("sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz")
_TENS = ("", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan")
_POWERS = ((10**3, "bin"), (10**6, "milyon"), (10**9, "milyar"))
# A letter of an abbreviation is said by its Turkish name: consonants with an e (be, ce …),
# vowels as themselves. TDK: TRT'ye, ABD'ye, KKTC'ye.
_ABBREVIATION = re.compile(r"(?:\w\.)+\w?\.?$")

# The end of a text that is said as a numeral: digits with the separators of numbers, dates
# and times (4.500.000, 12,5, 25.11.2026, 03:14).
_NUMERAL = re.compile(r"\d(?:[\d.,:]*\d)?$")


def inflect(word: str, case: str) -> str:
    """*word* with the apostrophe and the suffix of *case*: inflect("Mehmet", "dat") is Mehmet'e."""
    return word + case_suffix(word, case)


def case_suffix(word: str, case: str) -> str:
    """The apostrophe and the suffix of *case* that *word* takes, such as 'ye or 'ten."""
    if case not in CASES:
        raise ValueError(f"unknown Turkish case {case!r} (one of {', '.join(sorted(CASES))})")
    vowel, final = _sound(spoken(word))
    front, rounded, open_end = vowel in _FRONT, vowel in _ROUNDED, final in _VOWELS
    a = "e" if front else "a"
    i = ("ü" if rounded else "i") if front else ("u" if rounded else "ı")
    d = "t" if final in _VOICELESS else "d"
    suffix = {
        "dat": ("y" if open_end else "") + a,
        "loc": d + a,
        "abl": d + a + "n",
        "gen": ("n" if open_end else "") + i + "n",
        "acc": ("y" if open_end else "") + i,
        "ins": ("y" if open_end else "") + "l" + a,
        "poss": ("s" if open_end else "") + i,
    }[case]
    return "'" + suffix


def spoken(text: str) -> str:
    """The last word of *text* as it is said, in lower case: a numeral as its Turkish word,
    an abbreviation as the name of its last letter."""
    text = text.rstrip()
    numeral = _NUMERAL.search(text)
    if numeral:
        return numeral_word(numeral.group())
    words = text.split()
    last = _lower(words[-1]) if words else ""
    letters = [c for c in last if c.isalpha()]
    if not letters:
        return "e"  # nothing to say: the front, vowel-ending default
    if _ABBREVIATION.fullmatch(last) or not any(_vowel(c) for c in letters):
        return _letter_name(letters[-1])
    return "".join(letters)


def numeral_word(numeral: str) -> str:
    """The last word a numeral is said with: "03:14" is "dört", "4.500.000" is "bin"."""
    if ":" in numeral:  # a time is said by its minutes, or by its hour on the hour
        # Its last two numbers: a name may end in more ("Ekip 1.2:30" is said "otuz").
        hour, minute = (int(part) for part in re.split(r"[.,:]", numeral)[-2:])
        return number_word(minute or hour)
    groups = re.split(r"[.,]", numeral)
    grouped = (len(groups) > 1 and 1 <= len(groups[0]) <= 3
               and all(len(g) == 3 for g in groups[1:]))
    # 4.500.000 is one number in thousands; 25.11 is a date and 12,5 a decimal, each said
    # up to its last part.
    return number_word(int("".join(groups)) if grouped else int(groups[-1]))


def number_word(n: int) -> str:
    """The last word *n* is said with in Turkish: 40 "kırk", 1500 "yüz", 10**6 "milyon"."""
    if n % 10:
        return _ONES[n % 10]
    if n % 100:
        return _TENS[n % 100 // 10]
    if n % 1000:
        return "yüz"
    if n == 0:
        return _ONES[0]
    for power, word in _POWERS:  # 4.500.000 is "dört milyon beş yüz bin"
        if (n // power) % 1000:
            return word
    return "trilyon"


def _sound(word: str) -> tuple[str, str]:
    """The last vowel of *word* (e when it has none) and its last letter, as sounds."""
    sounds = [_base(c) for c in word] or ["e"]
    # A final y after a consonant ends foreign names said with an i: Realty'ye, Harry'ye.
    if len(sounds) > 1 and sounds[-1] == "y" and sounds[-2] not in _VOWELS:
        sounds[-1] = "i"
    vowels = [s for s in sounds if s in _VOWELS]
    vowel = vowels[-1] if vowels else "e"
    if word in _PALATAL:
        vowel = _FRONTED.get(vowel, vowel)
    return vowel, sounds[-1]


def _base(letter: str) -> str:
    """A letter as its Turkish sound: Turkish letters as they are, foreign ones by likeness."""
    if letter in _VOWELS or letter in "çğş":
        return letter
    return _FOREIGN.get(letter) or unicodedata.normalize("NFD", letter)[0]


def _vowel(letter: str) -> bool:
    return _base(letter) in _VOWELS


def _lower(text: str) -> str:
    """Lower case the Turkish way: I is ı and İ is i."""
    return text.replace("I", "ı").replace("İ", "i").lower()


def _letter_name(letter: str) -> str:
    """How a letter of an abbreviation is said: a vowel as itself, a consonant with an e."""
    return letter if _vowel(letter) else _base(letter) + "e"
