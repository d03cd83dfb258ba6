"""YAML parsing that remembers where everything came from.

PyYAML's ``safe_load`` throws away positions and silently keeps the last of two equal keys.
Composing the node tree first keeps a line for every key and list item, so a validation error
about ``sections[1].pages[0].title`` can point at the line the author has to edit, and a
repeated key can be reported instead of quietly dropping half of the author's work.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from courses.errors import Problem, field_path

Path_ = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """The parsed data together with the node tree it was built from."""

    data: Any
    root: yaml.Node

    def line_of(self, path: Path_) -> int:
        """1-based line of the deepest node on ``path`` that exists in the file.

        A mapping entry answers with its key's line (where the field is named), a list item with
        the line it starts on; a field that is missing answers with its parent's line.
        """
        node = self.root
        line = node.start_mark.line + 1
        for part in path:
            if isinstance(node, yaml.MappingNode):
                entry = _entry(node, part)
                if entry is None:
                    break
                key, node = entry
                line = key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line


def _entry(node: yaml.MappingNode, name: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    # Search from the end: with repeated keys YAML keeps the last one, so that is what was validated.
    for key, value in reversed(node.value):
        if isinstance(key, yaml.ScalarNode) and key.value == str(name):
            return key, value
    return None


def parse_yaml(text: str, file: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one YAML document; return it (None if unusable) and every problem found."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        return None, [Problem(file, line, "", f"contains the control character #x{error.character:04x}, "
                                              "which YAML does not allow; delete it")]
    try:
        root = loader.get_single_node()
        if root is None:
            return None, [Problem(file, None, "", "the file is empty; it should describe a course "
                                  "(`courseforge new NAME` writes one to start from)")]
        problems = duplicate_keys(root, file)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(error, file)]
    except RecursionError:
        return None, [Problem(file, None, "", "lists or mappings are nested too deeply to read")]
    finally:
        loader.dispose()
    return YamlDocument(data, root), problems


def _syntax_problem(error: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    words = error.problem or "the YAML could not be read"
    if error.context:
        words = f"{words} ({error.context}"
        if error.context_mark is not None and error.context_mark is not mark:
            words += f" on line {error.context_mark.line + 1}"
        words += ")"
    hint = ""
    if "'\\t'" in words:
        hint = "; indent with spaces, YAML does not allow tabs"
    elif "mapping values are not allowed" in words:
        hint = "; put text that contains ': ' in quotes"
    elif "expected a single document" in words:
        hint = "; a course.yaml holds one document, remove the extra '---'"
    return Problem(file, line, "", f"YAML syntax error: {words}{hint}")


def duplicate_keys(root: yaml.Node, file: str) -> list[Problem]:
    """Every key written twice in the same mapping (PyYAML would keep only the last)."""
    problems: list[Problem] = []
    seen_nodes: set[int] = set()

    def walk(node: yaml.Node, path: Path_) -> None:
        if id(node) in seen_nodes:  # aliases share nodes and may even form a cycle
            return
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name is not None and name != "<<":
                    line = key.start_mark.line + 1
                    if name in first_line:
                        problems.append(Problem(
                            file, line, field_path(path + (name,)),
                            f"'{name}' appears twice here (first on line {first_line[name]}); "
                            "only the last one would count, so keep one",
                        ))
                    else:
                        first_line[name] = line
                walk(value, path + ((name if name is not None else "?"),))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, path + (index,))

    walk(root, ())
    return problems
