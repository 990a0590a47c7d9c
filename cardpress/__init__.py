"""cardpress: structured Markdown Q&A to an Anki deck, a PDF cheat sheet and an HTML page."""

__version__ = "0.1.0"
