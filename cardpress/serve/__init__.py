"""``cardpress serve``: a local HTTP server for the output folder (``server``) whose pages
reload themselves after each build (``page``, the script and the page it injects)."""
