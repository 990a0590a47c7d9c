"""One module per source format of ``cardpress import`` (a row of ``IMPORTERS`` each):
``details`` and ``numbered`` (interview repositories), ``files`` (a file per card),
``anki`` (an .apkg, bounded by ``anki_bounds``) and ``csv``. Each reads its sources into
the drafts of ``importers.draft``; writing the deck and merging are shared."""
