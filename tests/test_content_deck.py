"""The shipped AWS DevOps deck parses cleanly and keeps the sections and facts it promises.

The deck is the project's first real content, so it is held to the strict build: a
warning here would be an error in `build.py --check --strict`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cardpress.markup import cloze
from cardpress.model import CardKind, Deck
from cardpress.parse import load_content, read_content
from tests.conftest import snapshot

CONTENT = Path(__file__).resolve().parent.parent / "content"
DECK_ID = "aws-devops"

SECTIONS = {
    "cicd": "CI/CD on AWS",
    "iam": "IAM and least privilege",
    "iac": "Infrastructure as code",
    "containers": "Containers: ECS, EKS and Fargate",
    "comparison": "CodePipeline versus Terraform with an external pipeline",
    "takeaways": "Key takeaways",
    "mistakes": "Common mistakes",
    "practice": "Practice questions",
    "faq": "Frequently asked questions",
}

# Facts from the source article that must stay somewhere in the deck's cards.
REQUIRED_FACTS = [
    "Canary10Percent5Minutes",
    "per build minute",
    "EventBridge",
    "s3:DeleteObject",
    "Policy Simulator",
    "IAM Identity Center",
    "12 hours",
    "continue-update-rollback",
    "--resources-to-skip",
    "create-change-set",
    "DeletionPolicy: Retain",
    "AWS::SSM::Parameter::Value<String>",
    "alias/myapp-kms-key",
    "GetSecretValue",
    "$0.40",
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "com.amazonaws.region.ecr.api",
    "com.amazonaws.region.ecr.dkr",
    "com.amazonaws.region.s3",
    "logs:PutLogEvents",
    "dynamodb:Query",
    "$1 per active pipeline",
    "cache: paths",
]

PAGE_FURNITURE = ["TheCodeForge", "Forged with", "1234567891011", "Verified Author"]


@pytest.fixture(scope="module")
def deck() -> Deck:
    decks = {d.key: d for d in load_content(CONTENT, strict=True)}
    return decks[DECK_ID]


def card_text(deck: Deck) -> str:
    parts = []
    for card in deck.cards():
        parts += [card.question.text, card.answer.text, card.details.text, card.cloze.text]
        parts += [callout.body.text for callout in card.callouts]
    return "\n".join(parts)


def test_content_parses_without_warnings() -> None:
    state = read_content(CONTENT, strict=False)
    assert [str(w) for w in state.warnings] == []


def test_strict_check_of_the_content_folder_passes_and_writes_nothing(run_cli) -> None:
    before = snapshot(CONTENT)
    result = run_cli("--content", CONTENT, "--check", "--strict")
    assert result.status == 0, result.err
    assert "warning" not in result.out + result.err
    assert "error:" not in result.out + result.err
    assert snapshot(CONTENT) == before


def test_deck_metadata(deck: Deck) -> None:
    assert deck.title == "AWS DevOps Interview Preparation"
    assert deck.tags == ("aws", "devops")
    assert deck.paper == "a4"
    assert deck.description


def test_every_article_section_is_present_in_order(deck: Deck) -> None:
    assert [s.key for s in deck.sections] == list(SECTIONS)
    assert {s.key: s.title.text for s in deck.sections} == SECTIONS
    assert all(section.cards for section in deck.sections)


def test_card_count_is_in_the_planned_range(deck: Deck) -> None:
    assert 80 <= deck.card_count <= 150


def test_all_card_kinds_are_used(deck: Deck) -> None:
    assert {card.kind for card in deck.cards()} == set(CardKind)


def test_cloze_cards_have_deletions_and_other_cards_none(deck: Deck) -> None:
    for card in deck.cards():
        if card.kind is CardKind.CLOZE:
            assert cloze.numbers(card.cloze.html), card.id
            assert not card.answer
        else:
            assert not cloze.numbers(card.answer.html + card.details.html), card.id
            assert card.answer, card.id


def test_practice_and_faq_cards_have_explicit_ids(deck: Deck) -> None:
    for section in deck.sections:
        if section.key in {"practice", "faq"}:
            assert all(card.explicit_id for card in section.cards), section.key


def test_every_card_has_a_topic_tag(deck: Deck) -> None:
    for section in deck.sections:
        inherited = set(deck.tags) | {section.key, *section.tags}
        for card in section.cards:
            assert set(card.tags) - inherited, card.id


def test_commands_and_iam_actions_are_formatted_as_code(deck: Deck) -> None:
    html = "\n".join(c.answer.html + c.details.html + c.cloze.html for c in deck.cards())
    assert "<code>ecr:BatchGetImage</code>" in html
    assert "<code>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</code>" in html
    assert html.count('class="highlight"') >= 6


@pytest.mark.parametrize("fact", REQUIRED_FACTS)
def test_article_fact_is_carried(deck: Deck, fact: str) -> None:
    assert fact in card_text(deck)


def test_no_page_furniture(deck: Deck) -> None:
    text = card_text(deck) + deck.intro.text + "".join(s.intro.text for s in deck.sections)
    for furniture in PAGE_FURNITURE:
        assert furniture not in text
