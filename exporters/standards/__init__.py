"""The official SCORM 1.2, SCORM 2004 4th Edition and cmi5 schemas and their offline validator,
shipped inside the package so that `courseforge validate` checks manifests wherever courseforge
is installed. The files are copied unchanged from the standards bodies' distributions (README.md
here lists where each came from and its licence lines); ``validate.py`` resolves every schema
import from this folder through ``catalog.xml`` and never uses the network."""

from pathlib import Path

VALIDATOR = Path(__file__).with_name("validate.py")
