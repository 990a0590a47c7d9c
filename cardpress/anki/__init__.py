"""The Anki side: what a deck's notes are in Anki (``notetypes``, ``package``), what the
next import of a package will do (``changes``, ``report``), what a build records of each
package in the lock files (``record``), and the commands that meet a user's collection:
``sync`` (with ``owners``, ``sync_needed``, ``backup``, ``profiles``, ``collection``) and
``pull`` (with ``edits``, the fields changed in Anki)."""
