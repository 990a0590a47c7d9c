"""Settings: a card's id, kind, tags, answer mode and former ids, and a section's id and
tags."""

from __future__ import annotations

import re
import urllib.parse

from cardpress.content.files import shown
from cardpress.errors import Reporter
from cardpress.model import TAG_NAMESPACE, CardKind, SourceLocation, reserved_tag
from cardpress.parse.deck_state import DeckState
from cardpress.parse.drafts import SectionDraft
from cardpress.parse.rules.card import CardWork

CARD_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_TAG_RE = re.compile(r'^[^\s"]+$')
_GUID_RE = re.compile(r"^[!-~]{1,100}$")  # an Anki note GUID kept by cardpress import


def apply(card: CardWork, deck: DeckState) -> None:
    """The card's settings: kind, id (claimed for the deck), tags, an imported guid and
    whether the answer is typed in."""
    settings = dict(card.draft.settings)
    report = deck.report
    if "kind" in settings:
        value, where = settings.pop("kind")
        try:
            card.kind = CardKind(value.strip().lower())
        except ValueError:
            report.error(
                where, f"unknown card kind '{shown(value)}' (known: {', '.join(CardKind)})"
            )
            card.ok = False
    if "id" in settings:
        value, where = settings.pop("id")
        if not CARD_ID_RE.match(value):
            report.error(
                where,
                f"card id '{shown(value)}' must be lowercase letters, digits, '-', '_' or '.'",
            )
            card.ok = False
        elif value in deck.card_ids:
            first = deck.card_ids[value]
            report.error(where, f"duplicate card id '{value}': first used at", first)
            card.ok = False
        else:
            deck.card_ids[value] = where
            card.id = value
    if "tags" in settings:
        value, where = settings.pop("tags")
        card.tags = tags(value, where, report)
    if "guid" in settings:
        value, where = settings.pop("guid")
        card.guid = urllib.parse.unquote(value)
        if not _GUID_RE.match(card.guid):
            report.error(where, f"guid '{shown(value)}' must be 1 to 100 characters without spaces")
            card.ok = False
    if "answer" in settings:
        value, where = settings.pop("answer")
        mode = value.strip().lower()
        if mode not in ("show", "type"):
            report.error(where, f"unknown answer setting '{shown(value)}' (known: show, type)")
            card.ok = False
        card.type_in = mode == "type"
    if "was" in settings:
        value, where = settings.pop("was")
        card.was = value.replace(",", " ").split()
        bad = [old for old in card.was if not CARD_ID_RE.match(old) or old == card.id]
        if not card.id or bad or not card.was:
            report.error(
                where,
                "'was' names the ids this card had before, beside its new id: "
                "write '<!-- id: new-name; was: old-name -->'",
            )
            card.ok = False
    for name, (_, where) in settings.items():
        report.warning(
            where,
            f"unknown card setting '{shown(name)}' (known: id, kind, tags, guid, answer, was)",
        )


def section_identity(section: SectionDraft, title: str, deck: DeckState) -> tuple[str, ...]:
    """The section's key, then its tags: from its settings, else from its title."""
    settings = dict(section.settings)
    key = slug(title)
    if "id" in settings:
        value, where = settings.pop("id")
        if CARD_ID_RE.match(value):
            key = value
        else:
            deck.report.error(
                where,
                f"section id '{shown(value)}' must be lowercase letters, digits, '-', '_' or '.'",
            )
    if not key:
        key = f"section-{len(deck.section_keys) + 1}"
    found = [key]
    if "tags" in settings:
        value, where = settings.pop("tags")
        found.extend(tags(value, where, deck.report))
    for name, (_, where) in settings.items():
        deck.report.warning(where, f"unknown section setting '{shown(name)}' (known: id, tags)")
    return tuple(dict.fromkeys(found))


def tags(value: str, where: SourceLocation, report: Reporter) -> list[str]:
    """Tags separated by spaces or commas; one with a quote, or in cardpress's own
    namespace, is an error."""
    found = value.replace(",", " ").split()
    for tag in found:
        if not _TAG_RE.match(tag):
            report.error(where, f"tag '{shown(tag)}' may not contain quotes")
        elif reserved_tag(tag):
            report.error(where, reserved_tag_message(tag))
    return [t for t in found if _TAG_RE.match(t) and not reserved_tag(t)]


def reserved_tag_message(tag: str) -> str:
    return (
        f"tag '{shown(tag)}' is in the {TAG_NAMESPACE}:: namespace, which cardpress keeps for "
        f"the tags it puts on notes itself (the deck's {TAG_NAMESPACE}::<deck id>, "
        f"{TAG_NAMESPACE}::removed): choose another tag"
    )


def slug(text: str) -> str:
    return "-".join(re.sub(r"[^\w]+", " ", text.lower().replace("_", " ")).split())
