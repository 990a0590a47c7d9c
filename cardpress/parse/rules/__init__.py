"""Rules, one per module, that turn drafts into model objects and report problems.

The order they run in is listed once, in ``cardpress.parse.files``.
"""
