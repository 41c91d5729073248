"""`/rules`: the office's routing rules in plain words, for everyone on the team."""

from __future__ import annotations

from bot.i18n import Markup, t
from bot.render.formatting import Localized, esc, number
from core.rules_view import RulesView, RuleView

_SPECIAL = ("managers", "nurture", "disqualify")  # what a fallback may name besides a rule


class RulesReplies(Localized):
    """Renders the routing rules as the team reads them."""

    def rules(self, lang: str, view: RulesView) -> str:
        """Every rule, first match first, with who it chooses from; then the asker's own."""
        lines = [t(lang, "rules.title"), ""]
        for position, rule in enumerate(view.rules, 1):
            lines += [t(lang, "rules.rule", number=position, name=rule.name,
                        when=Markup(self._when(lang, rule))),
                      t(lang, "rules.then", what=Markup(self._then(lang, rule)))]
        lines += ["", t(lang, "rules.mine", rules=", ".join(view.mine)) if view.mine
                  else t(lang, "rules.mine_none")]
        return "\n".join(lines)

    def _when(self, lang: str, rule: RuleView) -> str:
        if rule.target_only:
            return t(lang, "rules.only_fallback")
        if not rule.when:
            return t(lang, "rules.every_lead")
        return " · ".join(t(lang, "rules.condition", field=Markup(t(lang, f"rules.when.{f}")),
                            values=self._values(lang, f, values))
                          for f, values in rule.when.items())

    def _values(self, lang: str, field: str,
                values: str | tuple[float | None, float | None]) -> str:
        if isinstance(values, str):
            return values
        def one(value: float | None) -> str:
            if value is None:
                return ""
            return self.money(lang, int(value)) if field == "budget" else number(value, lang)
        return f"{one(values[0])}–{one(values[1])}"

    @staticmethod
    def _then(lang: str, rule: RuleView) -> str:
        if rule.route_to != "agents":
            return t(lang, f"rules.to.{rule.route_to}")
        parts = [t(lang, f"rules.strategy.{rule.strategy}"),
                 ", ".join(esc(name) for name in rule.members) or t(lang, "rules.nobody")]
        if rule.covers_product:
            parts.append(t(lang, "rules.covers_product"))
        if rule.covers_region:
            parts.append(t(lang, "rules.covers_region"))
        if rule.tiers:
            parts.append(t(lang, "rules.tiers", tiers="/".join(rule.tiers)))
        target = (t(lang, f"rules.to.{rule.fallback}") if rule.fallback in _SPECIAL
                  else t(lang, "rules.rule_named", name=rule.fallback))
        parts.append(t(lang, "rules.fallback", target=Markup(target)))
        return " · ".join(parts)
