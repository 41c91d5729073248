"""/new: a lead taken by phone or at the door, entered one question at a time.

The questions, in order: the contact's name, their phone, what they want (the products the
office's routing speaks of, or typed), the region, the budget (an amount or a range) and the
timing (the choices scoring reads, or typed); all but the name and the phone may be skipped.
Each answer is checked as intake checks the field it fills, and one that does not read raises
why and leaves the question waiting.

Where the entry stands (the question waiting and the answers so far) is the chat's one
waiting question (`PromptKind.NEW_LEAD`), so any instance takes the next answer. A card's
question asked meanwhile (an amount, a note) replaces it, as a new question always does: the
entry is then dropped, and /new starts over.

The last answer stores the lead as intake stores one (`intake.store_in`: de-duplicated into
its contact, scored), with the source `manual`. The person's own entry is theirs at once
(`work.own_entries`, on by default), its card sent to them; a manager's entry, or any entry
with `own_entries: false`, waits to be routed like any lead, and the face starts a routing
pass after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from core.amounts import parse_amount
from core.config import MANUAL_SOURCE, OfficeConfig
from core.deps import Deps
from core.errors import (
    AnswerTooLong,
    Conflict,
    EmptyAnswer,
    FieldProblem,
    InvalidInput,
    NotAnAmount,
    NotAPhone,
    NotTheQuestion,
    UnknownAgent,
)
from core.lead_input import MAX_BUDGET, MAX_LENGTH, clean_text, normalize_phone, validate_lead
from core.lifecycle.after_accept import start_clocks
from core.lifecycle.cards import card_params, send_card
from core.lifecycle.intake import IncomingLead, store_in
from core.lifecycle.prompts import PROMPT_LIFETIME
from core.model import Agent, Channel, Lead, LeadEvent, Prompt, PromptKind
from core.ports import UnitOfWork
from core.spelling import fold

STEPS = ("name", "phone", "product", "region", "budget", "timing")
SKIPPABLE = frozenset({"product", "region", "budget", "timing"})
SKIP = "skip"
PRODUCTS_OFFERED = 8  # buttons on the product question; any other product is typed
# The timing buttons, and what the lead then says, in the words of the person entering it:
# each is a phrase scoring reads at its level (this week 1.0 … just looking 0.1).
TIMINGS: dict[str, dict[str, str]] = {
    "week": {"en": "this week", "tr": "bu hafta"},
    "month": {"en": "this month", "tr": "bu ay"},
    "quarter": {"en": "in 1-3 months", "tr": "1-3 ay içinde"},
    "half": {"en": "within 6 months", "tr": "6 ay içinde"},
    "looking": {"en": "just looking", "tr": "sadece bakıyorum"},
}


@dataclass(frozen=True)
class EntryStep:
    """Where an entry stands after a step: the next question (with the products it offers),
    or, once the last one is answered, the lead stored and whether it is the person's own."""

    question: str | None  # one of STEPS; None once the lead is stored
    products: tuple[str, ...] = ()
    lead: Lead | None = None
    kept: bool = False  # the lead is the person's at once; else it waits to be routed


def offered_products(config: OfficeConfig) -> tuple[str, ...]:
    """The products the office's routing rules and roster speak of, each once, in the
    order the config names them first, as many as fit on the question's buttons."""
    found: dict[str, str] = {}
    names = [name for rule in config.routing.rules
             for name in (*rule.when.product, *rule.pool.specialties)]
    names += [name for agent in config.agents for name in agent.specialties]
    for name in names:
        name = name.strip()
        if name and name != "$product" and len(name) <= MAX_LENGTH["product"]:
            found.setdefault(fold(name), name)
    return tuple(found.values())[:PRODUCTS_OFFERED]


async def _entering(uow: UnitOfWork, agent_id: int) -> Agent:
    person = await uow.agents.get(agent_id)
    if person is None or not person.active or person.chat_id is None:
        raise UnknownAgent()
    return person


async def start_entry(uow: UnitOfWork, deps: Deps, /, *, agent_id: int) -> EntryStep:
    """Start entering a lead: ask for the contact's name, in place of any question
    waiting in the person's chat (an entry begun before starts over)."""
    now = deps.clock.now()
    async with uow:
        person = await _entering(uow, agent_id)
        assert person.chat_id is not None  # _entering refuses anyone the bot cannot write to
        await uow.prompts.ask(Prompt(person.chat_id, PromptKind.NEW_LEAD, now,
                                     data={"step": STEPS[0], "answers": {}}))
        await uow.commit()
    return EntryStep(STEPS[0])


async def entry_answer(
    uow: UnitOfWork, deps: Deps, /, *, agent_id: int, text: str | None = None,
    choice: str | None = None, step: str | None = None,
) -> EntryStep | None:
    """Take the answer to the entry's waiting question, typed (*text*) or pressed
    (*choice*: SKIP, a TIMINGS key, or the index of an offered product, on the question
    *step*), and ask the next; after the last, store the lead. None when no entry waits in
    the person's chat (none begun, cancelled, replaced, or an hour old)."""
    now = deps.clock.now()
    async with uow:
        person = await uow.agents.get(agent_id)
        if person is None or not person.active or person.chat_id is None:
            return None
        prompt = await uow.prompts.pending(person.chat_id)
        if (prompt is None or prompt.kind is not PromptKind.NEW_LEAD
                or now - prompt.asked_at > PROMPT_LIFETIME):
            return None
        current = str(prompt.data.get("step"))
        if current not in STEPS or (step is not None and step != current):
            raise NotTheQuestion()
        answers = dict(prompt.data.get("answers") or {})
        lang = person.language or deps.config.language
        if choice is not None:
            answers.update(_chosen(current, choice, prompt.data, lang))
        elif text is not None:
            answers.update(_typed(current, text, deps))
        else:
            raise NotTheQuestion()
        # Two answers read the same question at once: the second finds it gone, and reads
        # again (App.run retries a Conflict).
        if not await uow.prompts.clear(person.chat_id, asked_at=prompt.asked_at):
            raise Conflict()
        following = STEPS.index(current) + 1
        if following == len(STEPS):
            lead, kept = await _store(uow, deps, person, answers, now)
            await uow.commit()
            return EntryStep(None, lead=lead, kept=kept)
        question = STEPS[following]
        data: dict[str, Any] = {"step": question, "answers": answers}
        products: tuple[str, ...] = ()
        if question == "product":
            products = offered_products(deps.config)
            data["products"] = list(products)  # what the buttons' indexes mean
        await uow.prompts.ask(Prompt(person.chat_id, PromptKind.NEW_LEAD, now, data=data))
        await uow.commit()
    return EntryStep(question, products)


async def cancel_entry(uow: UnitOfWork, deps: Deps, /, *, agent_id: int) -> bool:
    """Drop the entry waiting in the person's chat, storing nothing; whether one waited.
    Another kind of question waiting there is left as it is."""
    async with uow:
        person = await uow.agents.get(agent_id)
        if person is None or person.chat_id is None:
            return False
        prompt = await uow.prompts.pending(person.chat_id)
        if prompt is None or prompt.kind is not PromptKind.NEW_LEAD:
            return False
        cancelled = await uow.prompts.clear(person.chat_id, asked_at=prompt.asked_at)
        await uow.commit()
    return cancelled


def _typed(step: str, text: str, deps: Deps) -> dict[str, Any]:
    """The lead's fields a typed answer to *step* gives, checked as intake checks them."""
    if step == "phone":
        try:
            return {"phone": normalize_phone(text.strip(), deps.config.default_region)}
        except ValueError:
            raise NotAPhone(text=text.strip()[:40]) from None
    if step == "budget":
        cap = min(deps.config.max_amount, MAX_BUDGET)
        amount = parse_amount(text, cap=cap)  # raises for other digits, or over the cap
        if amount is None:
            raise NotAnAmount(text=text.strip()[:40])
        # One amount is a budget as clear as a range: "2 milyon" is what they mean to spend.
        return {"budget_min": amount.low, "budget_max": amount.high}
    # The name, a product, a region or a timing: text as the contact put it.
    if len(text.strip()) > MAX_LENGTH[step]:
        raise AnswerTooLong(limit=MAX_LENGTH[step])
    try:
        value = clean_text(text, step)
    except ValueError as exc:
        raise InvalidInput([FieldProblem(step, str(exc))]) from None
    if value is None:
        raise EmptyAnswer()
    return {step: value}


def _chosen(step: str, choice: str, data: dict[str, Any], lang: str) -> dict[str, Any]:
    """The lead's fields a pressed button on *step* gives."""
    if choice == SKIP and step in SKIPPABLE:
        return {}
    if step == "timing" and choice in TIMINGS:
        phrases = TIMINGS[choice]
        return {"timing": phrases.get(lang, phrases["en"])}
    products = data.get("products") or []
    if step == "product" and choice.isascii() and choice.isdigit() and \
            int(choice) < len(products):
        return {"product": str(products[int(choice)])}
    raise NotTheQuestion()


async def _store(uow: UnitOfWork, deps: Deps, person: Agent, answers: dict[str, Any],
                 now: datetime) -> tuple[Lead, bool]:
    """Store the entered lead as intake stores one; the person's own when the office says
    so (`work.own_entries`) and they are an agent, its card sent to them."""
    data = validate_lead(answers, default_region=deps.config.default_region)
    warmth = deps.config.scoring.channel_warmth[Channel.MANUAL]
    [(lead, _)] = await store_in(uow, deps, [IncomingLead(MANUAL_SOURCE, warmth, data)], now)
    # Managers are not offered leads: one a manager takes down goes to the team.
    kept = deps.config.work.own_entries and not person.is_manager
    if kept:
        lead.give_to(person, now)
        await start_clocks(uow, deps, lead, now, entered=True)
        await uow.leads.update(lead)
    await uow.events.add(LeadEvent(lead.id, now, "entered", person.telegram_id,
                                   {"kept": kept}))
    if kept:
        params = replace(await card_params(uow, deps, lead, viewer=person, now=now),
                         opened="entered")
        await send_card(uow, deps, lead, person, now, params=params)
    return lead, kept
