"""Media ingest and transcoding: what a course's files become in a package."""
