"""Everything printed, laid out by WeasyPrint: the cheat sheet (``sheet``, its HTML in
``html``, code and tables in ``code`` and ``tables``, rendered in parts by ``parts`` and
cached by ``part_cache``, its outline in ``structure``), the printed cards (``cards`` and
the ``cards_*`` modules) and the quiz sheet (``quiz``); ``fonts`` checks what prints."""
