"""YAML parsing that remembers where everything came from.

PyYAML's ``safe_load`` throws away positions and silently keeps the last of two equal keys.
Composing the node tree first keeps a line for every key and list item, so a validation error
about ``sections[1].pages[0].title`` can point at the line the author has to edit, and a
repeated key can be reported instead of quietly dropping half of the author's work.

A course.yaml may come from anyone, so reading it is bounded: the document is measured as it
would be with its aliases expanded (values, alias uses, nesting depth) while it is composed,
and no message quotes more than a few words of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from courses.errors import Problem, ProblemList, field_path, shorten

Path_ = tuple[str | int, ...]

MAX_NODES = 100_000  # values, keys and lists after aliases are expanded; a big course has ~20,000
MAX_ALIASES = 10_000  # alias uses after expansion (an alias inside an anchor counts each time it repeats)
MAX_DEPTH = 40  # lists and mappings inside each other; a course needs 12


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


class YamlLimitError(yaml.MarkedYAMLError):
    """The document would grow past one of the limits above once its aliases were expanded."""


class YamlValueError(yaml.MarkedYAMLError):
    """A value that is valid YAML syntax but cannot become data (a 13th month, a bool 'maybe')."""


class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that counts the document as it would be once aliases are expanded.

    Composing keeps an alias as a second reference to the anchored node, so a 15 KB file can
    describe a billion-node tree that only blows up later, when the data is walked and
    validated. Counting here, while the tree is still small, refuses such a file at the line
    where it crosses a limit, before anything big exists.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nodes = 0
        self.aliases = 0
        self.sizes: dict[int, tuple[int, int, int]] = {}  # id(node) -> (nodes, aliases, height) expanded
        self.heights: list[int] = []  # per open collection: the tallest child so far

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None:  # an undefined alias is the composer's own error
                self._expand_alias(event, target)
            return super().compose_node(parent, index)
        mark: Any = self.peek_event().start_mark  # PyYAML's Mark (the stubs also allow libyaml's)
        if len(self.heights) >= MAX_DEPTH:
            raise YamlLimitError(
                None,
                None,
                f"lists and mappings are nested more than {MAX_DEPTH} levels deep (the limit for a course.yaml)",
                mark,
            )
        nodes, aliases = self.nodes, self.aliases
        self._grow(1, 0, mark)
        self.heights.append(0)
        node = super().compose_node(parent, index)
        height = self.heights.pop() + 1
        self.sizes[id(node)] = (self.nodes - nodes, self.aliases - aliases, height)
        self._child(height)
        return node

    def _expand_alias(self, event: yaml.AliasEvent, target: yaml.Node) -> None:
        size = self.sizes.get(id(target))
        name = shorten(event.anchor or "")
        mark: Any = event.start_mark
        if size is None:
            raise YamlLimitError(
                None,
                None,
                f"the alias *{name} is inside the very list or mapping it names "
                f"(&{name} on line {target.start_mark.line + 1}), so it would repeat forever",
                mark,
            )
        nodes, aliases, height = size
        if len(self.heights) + height > MAX_DEPTH:
            raise YamlLimitError(
                None,
                None,
                f"the alias *{name} nests lists and mappings more than {MAX_DEPTH} "
                "levels deep (the limit for a course.yaml)",
                mark,
            )
        self._grow(nodes, aliases + 1, mark)
        self._child(height)

    def _grow(self, nodes: int, aliases: int, mark: Any) -> None:
        self.nodes += nodes
        self.aliases += aliases
        if self.aliases > MAX_ALIASES:
            raise YamlLimitError(
                None,
                None,
                f"aliases (*name) are used more than {MAX_ALIASES} times once "
                "expanded (the limit for a course.yaml); write the repeated parts out",
                mark,
            )
        if self.nodes > MAX_NODES:
            how = " once its aliases are expanded" if aliases else ""
            raise YamlLimitError(
                None,
                None,
                f"the file holds more than {MAX_NODES} values{how} (the limit for a course.yaml); split the course",
                mark,
            )

    def _child(self, height: int) -> None:
        if self.heights:
            self.heights[-1] = max(self.heights[-1], height)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Values PyYAML's constructors choke on outside YAML syntax (a date like 2024-13-45, a
        number of 5,000 digits, ``!!bool maybe``) become a located error instead of a traceback."""
        try:
            return super().construct_object(node, deep)
        except yaml.MarkedYAMLError:
            raise
        except (ValueError, KeyError, TypeError, OverflowError):
            kind = node.tag.rsplit(":", 1)[-1]
            what = f"{shorten(node.value)!r}" if isinstance(node, yaml.ScalarNode) else "this value"
            raise YamlValueError(
                None,
                None,
                f"{what} cannot be read as a YAML {kind}; put it in quotes if it is meant as text",
                node.start_mark,
            ) from None


def parse_yaml(text: str, file: str) -> tuple[YamlDocument | None, ProblemList]:
    """Parse one YAML document; return it (None if unusable) and every problem found."""
    try:
        loader = _BoundedLoader(text)
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        return None, ProblemList(
            [
                Problem(
                    file,
                    line,
                    "",
                    f"contains the control character #x{error.character:04x}, which YAML does not allow; delete it",
                )
            ]
        )
    try:
        root = loader.get_single_node()
        if root is None:
            return None, ProblemList(
                [
                    Problem(
                        file,
                        None,
                        "",
                        "the file is empty; it should describe a course "
                        "(`courseforge new NAME` writes one to start from)",
                    )
                ]
            )
        problems = duplicate_keys(root, file)
        data = loader.construct_document(root)
    except (YamlLimitError, YamlValueError) as error:
        return None, ProblemList([_located_problem(error, file)])
    except yaml.MarkedYAMLError as error:
        return None, ProblemList([_syntax_problem(error, file)])
    except RecursionError:
        return None, ProblemList([Problem(file, None, "", "lists or mappings are nested too deeply to read")])
    finally:
        loader.dispose()
    return YamlDocument(data, root), problems


def _located_problem(error: yaml.MarkedYAMLError, file: str) -> Problem:
    line = error.problem_mark.line + 1 if error.problem_mark is not None else None
    return Problem(file, line, "", str(error.problem))


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _quiet(words: str) -> str:
    """PyYAML's sentence with every quoted piece of the file cut short: an anchor or tag can be
    thousands of characters long, and an error report must not replay the file."""
    return _QUOTED.sub(lambda found: found[0][0] + shorten(found[0][1:-1]) + found[0][0], words)


def _syntax_problem(error: yaml.MarkedYAMLError, file: str) -> Problem:
    # Only the parser's sentences are used, never str(error): that adds a snippet of the file.
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    words = _quiet(error.problem or "the YAML could not be read")
    if error.context:
        words = f"{words} ({_quiet(error.context)}"
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


def duplicate_keys(root: yaml.Node, file: str) -> ProblemList:
    """Every key written twice in the same mapping (PyYAML would keep only the last)."""
    problems = ProblemList()
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
                    if name in first_line and problems.full:
                        problems.skip()
                    elif name in first_line:
                        problems.add(
                            Problem(
                                file,
                                line,
                                field_path(path + (name,)),
                                f"'{shorten(name)}' appears twice here (first on line {first_line[name]}); "
                                "only the last one would count, so keep one",
                            )
                        )
                    else:
                        first_line[name] = line
                walk(value, path + ((name if name is not None else "?"),))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, path + (index,))

    walk(root, ())
    return problems
