"""The quiz sheet read back with pdfplumber, and when the printouts are built."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber

from tests.conftest import format_example

DECK = """---
title: Quiz Test
id: quiz-test
quiz: {answers: end}
---

# Quiz Test

## First section

### Which port does SSH listen on?
<!-- id: ssh -->

Port 22.

### Handshake
<!-- id: handshake; kind: cloze -->

First {{SYN}}, then {{SYN-ACK}}, then {{ACK::last}}.

## Second section

### Which port does HTTPS listen on?
<!-- id: https -->

Port 443.

### Which port does DNS listen on?
<!-- id: dns -->

Port 53.

### Which port does SMTP listen on?
<!-- id: smtp -->

Port 25.
"""
ANSWERS = {
    "SSH": "Port 22.",
    "HTTPS": "Port 443.",
    "DNS": "Port 53.",
    "SMTP": "Port 25.",
    "Handshake": "(1) SYN (2) SYN-ACK (3) ACK",
}


def _content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    (content / "quiz.md").write_text(DECK, encoding="utf-8")
    return content


def _pages(path: Path) -> list[str]:
    """Each page's text; the answer key's two columns read one after the other."""
    texts = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            heading = [w for w in page.extract_words() if w["text"] in ("Answers", "key")]
            if not heading:
                texts.append(page.extract_text() or "")
                continue
            top = heading[0]["bottom"]
            above = page.crop((0, 0, page.width, top)).extract_text() or ""
            half = page.width / 2
            left = page.crop((0, top, half, page.height)).extract_text() or ""
            right = page.crop((half, top, page.width, page.height)).extract_text() or ""
            texts.append(f"{above}\n{left}\n{right}")
    return texts


NUMBERED = re.compile(r"^(\d+)\. ?(.+)$", re.M)


def _questions_and_key(pages: list[str]) -> tuple[dict[int, str], dict[int, str]]:
    text = "\n".join(pages)
    marker = "\nAnswers\n" if "\nAnswers\n" in text else "answer key\n"
    body, _, key = text.partition(marker)
    questions = {int(m.group(1)): m.group(2) for m in NUMBERED.finditer(body)}
    answers = {int(m.group(1)): m.group(2) for m in NUMBERED.finditer(key)}
    return questions, answers


def _subject(question: str) -> str:
    found = re.search(r"Which port does (\w+) listen on\?", question)
    return found.group(1) if found else "Handshake"


def test_quiz_numbers_questions_by_section_and_the_key_matches(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = run_cli("--content", _content(tmp_path), "--out", out, "--only", "quiz")
    assert result.status == 0, result.err
    pages = _pages(out / "quiz-test-quiz.pdf")
    text = "\n".join(pages)
    questions, answers = _questions_and_key(pages)
    assert list(questions) == [1, 2, 3, 4, 5] == list(answers)
    assert text.index("First section") < text.index("1. Which port does SSH")
    assert text.index("2. Handshake") < text.index("Second section") < text.index("3. Which")
    for number, question in questions.items():
        assert answers[number] == ANSWERS[_subject(question)]
    # the cloze text has blanks (the hint shown in its blank), the key has the deletions
    cloze = text[text.index("2. Handshake") : text.index("Second section")]
    assert "First (1), then (2), then (3) last." in re.sub(r" ([,.])", r"\1", cloze)
    assert "SYN" not in cloze
    assert "page 1" in pages[0]  # the cheat sheet's footer


def test_shuffle_is_reproducible_and_key_follows(run_cli, tmp_path: Path) -> None:
    content = _content(tmp_path)
    built = {}
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        out = tmp_path / name
        result = run_cli("--content", content, "--out", out, "--only", "quiz", "--shuffle", seed)
        assert result.status == 0, result.err
        built[name] = (out / "quiz-test-quiz.pdf").read_bytes()
    assert built["a"] == built["b"]
    orders = []
    for name in ("a", "c"):
        path = tmp_path / name / "quiz-test-quiz.pdf"
        path.write_bytes(built[name])
        questions, answers = _questions_and_key(_pages(path))
        assert list(questions) == list(answers) == [1, 2, 3, 4, 5]
        for number, question in questions.items():
            assert answers[number] == ANSWERS[_subject(question)]
        orders.append([_subject(q) for q in questions.values()])
    deck_order = ["SSH", "Handshake", "HTTPS", "DNS", "SMTP"]
    for order in orders:
        assert sorted(order) == sorted(deck_order)
        second = [order.index(s) for s in ("HTTPS", "DNS", "SMTP")]
        assert max(second) - min(second) == 2  # a section's questions stay together
    assert any(order != deck_order for order in orders)


def test_answer_key_on_separate_pages(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = run_cli(
        "--content", _content(tmp_path), "--out", out, "--only", "quiz",
        "--quiz-answers", "separate",
    )  # fmt: skip
    assert result.status == 0, result.err
    pages = _pages(out / "quiz-test-quiz.pdf")
    key_page = next(i for i, page in enumerate(pages) if "Quiz Test: answer key" in page)
    assert key_page > 0
    assert "Which port" not in pages[key_page]
    assert all("answer key" not in page for page in pages[:key_page])


def test_printouts_are_built_by_default_only_for_decks_that_ask(run_cli, tmp_path: Path) -> None:
    content = _content(tmp_path)
    (content / "networking.md").write_text(format_example(), encoding="utf-8")
    out = tmp_path / "dist"
    result = run_cli("--content", content, "--out", out, "--only", "json,quiz")
    assert result.status == 0, result.err
    assert (out / "networking-basics-quiz.pdf").exists()  # named: every deck gets it
    for path in out.glob("*.pdf"):
        path.unlink()
    result = run_cli("--content", content, "--out", out)
    assert result.status == 0, result.err
    assert (out / "quiz-test-quiz.pdf").exists()
    assert not (out / "quiz-test-cards.pdf").exists()  # it asks for a quiz, not cards
    assert not (out / "networking-basics-quiz.pdf").exists()
    again = run_cli("--content", content, "--out", out)
    assert "nothing to do: 9 output(s)" in again.out  # 4 + 4 + the quiz
    moved = run_cli("--content", content, "--out", out, "--shuffle", "3")
    assert f"wrote {out / 'quiz-test-quiz.pdf'}" in moved.out
    assert "networking-basics.pdf" not in moved.out  # other outputs stay up to date
    paper = run_cli("--content", content, "--out", out, "--shuffle", "3", "--paper", "letter")
    assert f"wrote {out / 'quiz-test-quiz.pdf'}" in paper.out
