"""The dialects' modules; the table of them is ``cardpress.parse.DIALECTS``."""
