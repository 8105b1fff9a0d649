"""YAML files checked by a pydantic model, with every problem reported at its file and line.

Used for instruments, codebooks and column mappings: one way of reading a YAML file that
a person wrote, refusing duplicate keys, and mapping each validation error back to the
line where the key stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a YAML file."""

    line: int | None
    loc: Loc
    message: str

    @property
    def where(self) -> str:
        parts = []
        for part in self.loc:
            if isinstance(part, int):
                parts.append(f"[{part}]")
            else:
                parts.append(("." if parts else "") + part)
        return "".join(parts) or "(top)"


class YamlFileError(ValueError):
    """A YAML file that is not valid; ``problems`` lists all that was found."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = problems
        lines = [
            f"{path}:{p.line if p.line is not None else '?'}: {p.where}: {p.message}"
            for p in problems
        ]
        super().__init__("\n".join(lines))


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the deepest YAML node that ``loc`` reaches."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    # a missing or wrong value is best shown at its key
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def message(error: dict) -> str:
    """A pydantic error in words a person who wrote the file understands."""
    text = error["msg"]
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    if error["type"] == "missing":
        return "this key is required but missing"
    if error["type"] == "extra_forbidden":
        return f"unknown key (value {error['input']!r}); check its spelling against the format"
    if error["type"] == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{error['input']!r} is not a known value; expected {expected}"
    if error["type"] == "string_pattern_mismatch":
        return (
            f"{error['input']!r} is not a valid key: use lower-case letters, digits and single "
            "underscores, starting with a letter"
        )
    if "input" in error and not isinstance(error["input"], (dict, list)):
        return f"{text} (found {error['input']!r})"
    return text


@dataclass
class Parsed:
    """A YAML document: its data, and its node tree for line numbers."""

    data: Any
    root: yaml.Node | None
    path: str

    def error(self, problems: list[tuple[Loc, str]]) -> YamlFileError:
        return YamlFileError(
            self.path, [Problem(line_of(self.root, loc), loc, text) for loc, text in problems]
        )


def parse_text(text: str, path: str = "<string>") -> Parsed:
    """Parse YAML text, refusing duplicate keys; errors name the line."""
    try:
        root = yaml.compose(text, Loader=_UniqueKeyLoader)
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        text = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YamlFileError(path, [Problem(line, (), f"not valid YAML: {text}")]) from None
    return Parsed(data, root, path)


def read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlFileError(
            str(path), [Problem(None, (), f"cannot read: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError as exc:
        raise YamlFileError(
            str(path), [Problem(None, (), f"not UTF-8 text: {exc.reason}")]
        ) from None


def validate(parsed: Parsed, model: type[Model], expected: str) -> Model:
    """Check parsed YAML against a pydantic model; every problem is reported with its line."""
    if not isinstance(parsed.data, dict):
        raise YamlFileError(parsed.path, [Problem(1, (), f"expected a mapping with {expected}")])
    try:
        return model.model_validate(parsed.data)
    except ValidationError as exc:
        raise parsed.error([(tuple(e["loc"]), message(e)) for e in exc.errors()]) from None


def load(path: str | Path, model: type[Model], expected: str) -> Model:
    """Read a YAML file and check it against ``model``."""
    return validate(parse_text(read_text(path), str(path)), model, expected)
