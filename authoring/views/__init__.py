"""One blueprint per resource: sign-in, the editor's pages, and the JSON API for courses, their
content and their revisions."""
