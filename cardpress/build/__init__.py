"""The build: ``pipeline`` reads the content, plans what is stale (``freshness``), renders
it (``jobs``, in worker processes) and moves the outputs into place; ``leftovers`` are the
outputs of decks that are gone, ``interrupts`` how Ctrl-C and SIGTERM end a build, and
``watch`` rebuilds on every change."""
