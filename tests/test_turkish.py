"""Turkish case suffixes after names, office names, numerals and times, checked against
tables written from how the words are said, not from the code."""

from __future__ import annotations

import pytest

from bot.turkish import CASES, case_suffix, inflect

# The Turkish word each number ends with when said, and the dative and ablative suffixes that
# word takes, written by hand: "dört" ends in the voiceless t, so 4'ten; "altı" in a back
# vowel, so 6'ya.
SAID = {0: "sıfır", 1: "bir", 2: "iki", 3: "üç", 4: "dört", 5: "beş", 6: "altı", 7: "yedi",
        8: "sekiz", 9: "dokuz", 10: "on", 20: "yirmi", 30: "otuz", 40: "kırk", 50: "elli"}
SUFFIXES = {
    "sıfır": ("a", "dan"), "bir": ("e", "den"), "iki": ("ye", "den"), "üç": ("e", "ten"),
    "dört": ("e", "ten"), "beş": ("e", "ten"), "altı": ("ya", "dan"), "yedi": ("ye", "den"),
    "sekiz": ("e", "den"), "dokuz": ("a", "dan"), "on": ("a", "dan"), "yirmi": ("ye", "den"),
    "otuz": ("a", "dan"), "kırk": ("a", "tan"), "elli": ("ye", "den"),
}


def last_word_of(n: int) -> str:
    """What 0–59 ends with when said: the ones ("on dört" → "dört"), else the tens."""
    return SAID[n % 10] if n % 10 or n == 0 else SAID[n]


def test_every_time_of_day_takes_the_dative_and_ablative_of_the_word_it_ends_with() -> None:
    wrong = []
    for hour in range(24):
        for minute in range(60):
            time = f"{hour:02d}:{minute:02d}"
            # Said by its minutes ("üçü on dört geçe"), on the hour by the hour, 00:00 "sıfır".
            dative, ablative = SUFFIXES[last_word_of(minute or hour)]
            got = (inflect(time, "dat"), inflect(time, "abl"))
            if got != (f"{time}'{dative}", f"{time}'{ablative}"):
                wrong.append(got)
    assert wrong == []


@pytest.mark.parametrize(("time", "dative", "ablative"), [
    ("03:14", "03:14'e", "03:14'ten"), ("05:12", "05:12'ye", "05:12'den"),
    ("00:00", "00:00'a", "00:00'dan"), ("12:00", "12:00'ye", "12:00'den"),
    ("09:40", "09:40'a", "09:40'tan"), ("18:30", "18:30'a", "18:30'dan"),
    ("26.11 01:00", "26.11 01:00'e", "26.11 01:00'den"),
])
def test_the_times_the_bot_shows_read_as_a_turk_says_them(
    time: str, dative: str, ablative: str,
) -> None:
    assert (inflect(time, "dat"), inflect(time, "abl")) == (dative, ablative)


# dative, ablative, locative, genitive, accusative
NAMES = {
    "Ayşe": ("ye", "den", "de", "nin", "yi"),
    "Mehmet": ("e", "ten", "te", "in", "i"),
    "Zeynep": ("e", "ten", "te", "in", "i"),
    "Can": ("a", "dan", "da", "ın", "ı"),
    "Selin": ("e", "den", "de", "in", "i"),
    "Ahmet": ("e", "ten", "te", "in", "i"),
    "Burak": ("a", "tan", "ta", "ın", "ı"),
    "Ümit": ("e", "ten", "te", "in", "i"),
    "Oğuz": ("a", "dan", "da", "un", "u"),
    "Deniz": ("e", "den", "de", "in", "i"),
    "Ece": ("ye", "den", "de", "nin", "yi"),
    "Gül": ("e", "den", "de", "ün", "ü"),
    "Doğu": ("ya", "dan", "da", "nun", "yu"),
    "Özgür": ("e", "den", "de", "ün", "ü"),
    # Upper case the Turkish way: I is ı, İ is i.
    "IŞIK": ("a", "tan", "ta", "ın", "ı"),
    "İPEK": ("e", "ten", "te", "in", "i"),
    # Office names take the suffix of their last word.
    "Kuzey Emlak": ("a", "tan", "ta", "ın", "ı"),
    "Boğaziçi Gayrimenkul": ("e", "den", "de", "ün", "ü"),
    "Ege Yapı": ("ya", "dan", "da", "nın", "yı"),
    "Güneş Konut": ("a", "tan", "ta", "un", "u"),
    "Remax": ("a", "tan", "ta", "ın", "ı"),  # x is said "ks"
    # Borrowed words said with a soft l take front vowels after a back one.
    "Kemal": ("e", "den", "de", "in", "i"),
    "Hilal": ("e", "den", "de", "in", "i"),
    "Anadolu Gayrimenkul Yatırım": ("a", "dan", "da", "ın", "ı"),
    # A final y after a consonant ends a foreign name said with an i.
    "Acme Realty": ("ye", "den", "de", "nin", "yi"),
    "Test Realty": ("ye", "den", "de", "nin", "yi"),
    # Abbreviations are said letter by letter (te-ha-ye, a-şe).
    "THY": ("ye", "den", "de", "nin", "yi"),
    "TRT": ("ye", "den", "de", "nin", "yi"),
    "Kuzey Emlak A.Ş.": ("ye", "den", "de", "nin", "yi"),
    # English spelling does not say how a name is said: the last written vowel decides.
    "Jack": ("a", "tan", "ta", "ın", "ı"),
    "José": ("ye", "den", "de", "nin", "yi"),
}


@pytest.mark.parametrize("name", sorted(NAMES))
def test_names_and_office_names_take_the_suffix_of_their_last_vowel_and_consonant(
    name: str,
) -> None:
    got = [inflect(name, case) for case in ("dat", "abl", "loc", "gen", "acc")]
    assert got == [f"{name}'{suffix}" for suffix in NAMES[name]]


@pytest.mark.parametrize(("numeral", "dative", "ablative"), [
    ("4.500.000", "e", "den"),  # dört milyon beş yüz bin
    ("1.000.000", "a", "dan"),  # bir milyon
    ("2.000.000.000", "a", "dan"),  # iki milyar
    ("1.500", "e", "den"),  # bin beş yüz
    ("100", "e", "den"),  # yüz
    ("1000", "e", "den"),  # bin
    ("60", "a", "tan"),  # altmış
    ("70", "e", "ten"),  # yetmiş
    ("80", "e", "den"),  # seksen
    ("90", "a", "dan"),  # doksan
    ("25.11.2026", "ya", "dan"),  # … iki bin yirmi altı
    ("12,5", "e", "ten"),  # on iki virgül beş
    ("₺4.500.000", "e", "den"),
])
def test_numbers_are_said_in_turkish_words_before_their_suffix(
    numeral: str, dative: str, ablative: str,
) -> None:
    assert inflect(numeral, "dat") == f"{numeral}'{dative}"
    assert inflect(numeral, "abl") == f"{numeral}'{ablative}"


@pytest.mark.parametrize(("share", "possessed"), [
    ("%50", "%50'si"), ("%40", "%40'ı"), ("%25", "%25'i"), ("%6", "%6'sı"), ("%3", "%3'ü"),
    ("%10", "%10'u"), ("%100", "%100'ü"), ("%9", "%9'u"),
])
def test_a_share_of_the_leads_takes_the_possessive_of_the_number_said_after_yuzde(
    share: str, possessed: str,
) -> None:
    assert inflect(share, "poss") == possessed


@pytest.mark.parametrize(("word", "case", "inflected"), [
    ("Ayşe", "ins", "Ayşe'yle"), ("Burak", "ins", "Burak'la"), ("Oğuz", "ins", "Oğuz'la"),
    ("Ayşe", "poss", "Ayşe'si"), ("Burak", "poss", "Burak'ı"), ("Ümit", "poss", "Ümit'i"),
    ("Deniz", "loc", "Deniz'de"), ("03:14", "loc", "03:14'te"), ("03:14", "gen", "03:14'ün"),
])
def test_the_instrumental_and_possessive_follow_the_same_harmony(
    word: str, case: str, inflected: str,
) -> None:
    assert inflect(word, case) == inflected


def test_every_case_gives_an_apostrophe_and_a_suffix_even_for_text_with_no_letters() -> None:
    for case in CASES:
        for text in ("", "—", "?", "#12"):
            assert case_suffix(text, case).startswith("'")
            assert len(case_suffix(text, case)) > 1


@pytest.mark.parametrize(("name", "inflected"), [
    ("Ekip 1.2:30", "Ekip 1.2:30'a"), ("Ofis 12:00:05", "Ofis 12:00:05'e"),
    ("Şube 7/24", "Şube 7/24'e"), ("Ekip 1,5:2", "Ekip 1,5:2'ye")])
def test_a_name_that_ends_in_numbers_of_any_shape_takes_the_suffix_of_the_last(
    name: str, inflected: str,
) -> None:
    assert inflect(name, "dat") == inflected


def test_an_unknown_case_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown Turkish case 'nom'"):
        inflect("Ayşe", "nom")
