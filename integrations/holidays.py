"""core's Holidays port on the `holidays` package: a country's (or one of its regions')
public holidays, worked out once for each year asked about. Holidays that follow the moon
(Ramazan and Kurban Bayramı) move every year; the package computes them."""

from __future__ import annotations

from datetime import date

import holidays as package


def problem_with(code: str) -> str | None:
    """Why *code* (TR, DE-BY) names no calendar the package knows, or None when it does."""
    country, _, region = code.partition("-")
    regions = package.list_supported_countries().get(country)
    if regions is None:
        return f"{code!r} is not a country the holidays package knows (like TR, DE or US)"
    if region and region not in regions:
        return (f"{region!r} is not a region of {country} the holidays package knows "
                f"(it knows {', '.join(regions[:8])}{'…' if len(regions) > 8 else ''})")
    return None


class PackageHolidays:
    """The public holidays of *code* (`TR`, or `DE-BY` for a region), named in *language*
    (`en`, `tr`) where the package has the names in it."""

    def __init__(self, code: str, language: str | None = None) -> None:
        problem = problem_with(code)
        if problem is not None:
            raise ValueError(problem)
        self.code = code
        self._country, _, region = code.partition("-")
        self._region = region or None
        self._language = self._language_of(language)
        self._years: dict[int, dict[date, list[str]]] = {}

    def is_holiday(self, day: date) -> bool:
        """Whether *day* is a public holiday."""
        return day in self._year(day.year)

    def names(self, day: date) -> list[str]:
        """The holidays on *day*, by name."""
        return list(self._year(day.year).get(day, []))

    def _year(self, year: int) -> dict[date, list[str]]:
        found = self._years.get(year)
        if found is None:
            table = package.country_holidays(self._country, subdiv=self._region, years=year,
                                             language=self._language)
            found = {day: table.get_list(day) for day in table}
            self._years[year] = found  # two threads may both build it: the same table
        return found

    def _language_of(self, language: str | None) -> str | None:
        if language is None:
            return None
        known = package.country_holidays(self._country, subdiv=self._region).supported_languages
        for candidate in (language, "en_US" if language == "en" else ""):
            if candidate in known:
                return candidate
        return None
