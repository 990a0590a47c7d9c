"""Text forms: a card's Markdown to safe HTML (``html``), the markers every output
finishes its own way (``cloze``, ``formulas`` and the ``formula_*`` modules that check
and draw them), code highlighting (``highlight``), and the way back from HTML and mixed
Markdown to cardpress Markdown (``from_html``, ``convert``, ``fences``)."""
