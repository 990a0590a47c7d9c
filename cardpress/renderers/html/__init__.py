"""The single-file HTML page: ``page`` renders it, with its inlined stylesheet and
scripts (``assets``), its images as data (``media``) and its study mode (``study``)."""
