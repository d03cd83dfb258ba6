"""The course document: model, on-disk source format, validation and sample courses."""

from courses.model import Course

__all__ = ["Course"]
