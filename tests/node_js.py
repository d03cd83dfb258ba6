"""Running the player's ES modules in Node from a test: the pure parts of the runtime (scoring,
the resume codec, the trackers against a plain-object API) need no browser."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JS = REPO / "player" / "static" / "js"


def run_js(imports: dict[str, str], body: str, data: object = None) -> object:
    """Run ``body`` as an async module body with ``data`` in scope and ``imports`` (module path
    under player/static/js, or "/path" from the repository root -> comma-separated names); what it
    assigns to ``result`` comes back."""
    node = shutil.which("node")
    assert node, "node is needed to test the player's JavaScript"
    lines = [f"import {{ {names} }} from {json.dumps((REPO / module[1:] if module.startswith('/') else JS / module).as_uri())};"
             for module, names in imports.items()]
    if "scoring.js" in imports:  # the player loads question types as pages ask them; a test scores with all
        lines += [f"import {{ loadKinds }} from {json.dumps((JS / 'scoring.js').as_uri())};", "await loadKinds();"]
    script = "\n".join([*lines, "let input = ''; for await (const chunk of process.stdin) input += chunk;",
                        "const data = JSON.parse(input); let result;", body,
                        "process.stdout.write(JSON.stringify(result === undefined ? null : result));"])
    done = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps(data),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
