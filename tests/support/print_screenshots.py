"""The printouts' screenshots in docs/: ``python -m tests.support.print_screenshots`` (this module
holds no tests).

Builds the shipped deck's cheat sheet, cards (A7 on A4, and 3x5 in index cards) and quiz
into a temporary folder, puts the pages each picture shows side by side on one PDF page
(pypdf) and renders that at 60 dpi with Poppler's ``pdftoppm``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdf
from pypdf import Transformation

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
GAP = 12.0  # points between the pages of a picture


def _build(content: Path, out: Path, *options: str) -> None:
    command = [sys.executable, "-m", "cardpress", "--content", str(content), "--out", str(out)]
    env = {**os.environ, "XDG_CACHE_HOME": str(out.parent / "cache")}
    subprocess.run([*command, *options], check=True, env=env, capture_output=True)


def _side_by_side(source: Path, pages: list[int], target: Path, dpi: int = 60) -> None:
    """Pages (1-based) of ``source`` side by side, as a PNG at ``target``."""
    reader = pypdf.PdfReader(source)
    chosen = [reader.pages[n - 1] for n in pages]
    width = sum(float(p.mediabox.width) for p in chosen) + GAP * (len(chosen) - 1)
    height = max(float(p.mediabox.height) for p in chosen)
    writer = pypdf.PdfWriter()
    sheet = writer.add_blank_page(width, height)
    left = 0.0
    for page in chosen:
        sheet.merge_transformed_page(page, Transformation().translate(left, 0))
        left += float(page.mediabox.width) + GAP
    with tempfile.TemporaryDirectory() as folder:
        combined = Path(folder) / "combined.pdf"
        with open(combined, "wb") as file:
            writer.write(file)
        stem = Path(folder) / "shot"
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(combined), str(stem)],
            check=True,
        )
        shutil.copyfile(stem.with_suffix(".png"), target)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cardpress-shots-") as folder:
        work = Path(folder)
        content = work / "content"
        shutil.copytree(ROOT / "content", content)
        _build(content, work / "a7", "--only", "pdf,cards,quiz")
        _build(content, work / "3x5", "--only", "cards", "--card-size", "3x5in")
        _side_by_side(work / "a7" / "aws-devops-cards.pdf", [13, 14], SHOTS / "cards-a7-a4.png")
        _side_by_side(work / "3x5" / "aws-devops-cards.pdf", [5, 6], SHOTS / "cards-3x5in.png")
        _side_by_side(work / "a7" / "aws-devops.pdf", [1, 6], SHOTS / "pdf-pages.png")
        quiz = work / "a7" / "aws-devops-quiz.pdf"
        last = len(pypdf.PdfReader(quiz).pages)
        key = next(
            n
            for n, page in enumerate(pypdf.PdfReader(quiz).pages, 1)
            if (page.extract_text() or "").lstrip().startswith("Answers")
        )
        _side_by_side(quiz, [key - 1, key] if key <= last else [last], SHOTS / "quiz-key.png")


if __name__ == "__main__":
    main()
