"""Reading a folder someone else wrote: which files are content (``scan``, ``sources``),
how a path is shown and read safely (``files``), and the images a deck may embed
(``images``). Nothing here knows Markdown."""
