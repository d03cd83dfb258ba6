"""Other formats in: documents authors already have, turned into ordinary course folders.

An importer writes a course folder like any other (``course.yaml``, Markdown, media), which the
author then refines in the editor or in git; nothing downstream knows where a course came from.
Importers may use ``courses`` (the model, ids, archive rules) and ``media.tools`` (the one way
to start external programs), never the exporters, the player or the command line.
"""
