"""The course editor: authors build courses in a browser (``create_app(settings)``)."""

from authoring.app import create_app

__all__ = ["create_app"]
