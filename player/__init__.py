"""What the learner runs: Jinja2 page templates, one small JavaScript runtime, CSS."""
