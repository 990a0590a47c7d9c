from cardpress.cli import entry

entry()
