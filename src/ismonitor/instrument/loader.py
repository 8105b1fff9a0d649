"""Read an instrument from YAML, check it, and report every problem with its file and line."""

from __future__ import annotations

import ast
from functools import cache
from importlib import resources
from pathlib import Path

from .. import yamlfile
from ..yamlfile import Loc, Problem
from ..yamlfile import YamlFileError as InstrumentError
from .conditions import ConditionError, parse
from .schema import CHOICE_TYPES, Instrument, Item, ItemType

BUNDLED_PACKAGE = "ismonitor.instrument.instruments"
OTHER_KEY = "other"
"""The answer (and column suffix) that ``other: true`` adds to a choice item."""


def load_text(text: str, path: str = "<string>") -> Instrument:
    """Parse and check an instrument given as YAML text."""
    parsed = yamlfile.parse_text(text, path)
    instrument = yamlfile.validate(parsed, Instrument, "name, version, title and sections")
    problems = check_references(instrument)
    if problems:
        raise parsed.error(problems)
    return instrument


def check_references(instrument: Instrument) -> list[tuple[Loc, str]]:
    """Checks across the file: unique keys, named lists that exist, conditions on earlier items."""
    problems: list[tuple[Loc, str]] = []
    seen: dict[str, Loc] = {}
    sections_seen: set[str] = set()
    columns: dict[str, str] = {}
    earlier: dict[str, Item] = {}
    measured = {item.element for item in instrument.items()}
    for element_key in instrument.elements:
        if element_key not in measured:
            problems.append(
                (("elements", element_key), f"element {element_key!r} has no item measuring it")
            )
    for s, section in enumerate(instrument.sections):
        sloc: Loc = ("sections", s)
        # section keys name pages, not columns: they have a namespace of their own
        if section.key in sections_seen:
            problems.append((sloc + ("key",), f"section key {section.key!r} is used twice"))
        sections_seen.add(section.key)
        if section.show_if:
            problems += _check_condition(section.show_if, sloc + ("show_if",), earlier, instrument)
        for i, item in enumerate(section.items):
            loc = sloc + ("items", i)
            if item.key in seen:
                problems.append((loc + ("key",), f"key {item.key!r} is used twice"))
            seen[item.key] = loc
            if item.show_if:
                problems += _check_condition(item.show_if, loc + ("show_if",), earlier, instrument)
            if item.type in CHOICE_TYPES and item.choices not in instrument.choices:
                problems.append(
                    (
                        loc + ("choices",),
                        f"no answer list named {item.choices!r} under 'choices'; "
                        f"known lists: {', '.join(sorted(instrument.choices)) or 'none'}",
                    )
                )
            if item.type == ItemType.LIKERT and item.scale not in instrument.scales:
                problems.append(
                    (
                        loc + ("scale",),
                        f"no scale named {item.scale!r} under 'scales'; "
                        f"known scales: {', '.join(sorted(instrument.scales)) or 'none'}",
                    )
                )
            if item.element is not None and item.element not in instrument.elements:
                problems.append((loc + ("element",), f"no maturity element named {item.element!r}"))
            if item.construct_key is not None and item.construct_key not in instrument.constructs:
                problems.append(
                    (loc + ("construct",), f"no construct named {item.construct_key!r}")
                )
            options = instrument.choices.get(item.choices or "", [])
            unscored = [option.key for option in options if option.score is None]
            if item.element is not None and unscored:
                # multiple choice may leave all options unscored: then the share chosen counts
                all_unscored = len(unscored) == len(options)
                if item.type == ItemType.SINGLE_CHOICE or not all_unscored:
                    problems.append(
                        (
                            loc + ("element",),
                            f"a maturity item needs a 'score' on every option of "
                            f"{item.choices!r}; missing on {', '.join(unscored)}",
                        )
                    )
            if item.other and any(option.key == OTHER_KEY for option in options):
                problems.append(
                    (
                        loc + ("other",),
                        f"'other: true' adds the answer {OTHER_KEY!r}, but the list "
                        f"{item.choices!r} has an option with that key already",
                    )
                )
            for column in _columns_for(instrument, item):
                if column in columns and columns[column] != item.key:
                    problems.append(
                        (loc + ("key",), f"column {column!r} clashes with item {columns[column]!r}")
                    )
                columns[column] = item.key
            earlier[item.key] = item
    for key, options in instrument.choices.items():
        keys = [option.key for option in options]
        for index, option_key in enumerate(keys):
            if option_key in keys[:index]:
                problems.append(
                    (("choices", key, index, "key"), f"option {option_key!r} is listed twice")
                )
    return problems


def _columns_for(instrument: Instrument, item: Item) -> list[str]:
    names = [item.key]
    if item.type in (ItemType.MULTIPLE_CHOICE, ItemType.RANKING):
        names = [f"{item.key}__{o.key}" for o in instrument.choices.get(item.choices or "", [])]
    if item.other:
        names.append(f"{item.key}__{OTHER_KEY}")
    return names


def _answers_of(item: Item, instrument: Instrument) -> list[str] | None:
    """The text values an answer to ``item`` can take, or None when any value can."""
    if item.type == ItemType.YES_NO:
        return ["yes", "no"]
    if item.type in CHOICE_TYPES:
        keys = [option.key for option in instrument.choices.get(item.choices or "", [])]
        return keys + [OTHER_KEY] if item.other else keys
    return None


def _check_condition(
    source: str, loc: Loc, earlier: dict[str, Item], instrument: Instrument
) -> list:
    try:
        condition = parse(source)
    except ConditionError as exc:
        return [(loc, str(exc))]
    unknown = sorted(name for name in condition.names if name not in earlier)
    if unknown:
        return [
            (
                loc,
                f"condition {source!r} refers to {', '.join(map(repr, unknown))}, "
                "which is not an item asked before it",
            )
        ]
    # a value no answer can take would hide the item from everyone, silently
    problems = []
    for node in ast.walk(condition.tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        names = [o.id for o in operands if isinstance(o, ast.Name)]
        literals = [
            element.value
            for o in operands
            for element in (o.elts if isinstance(o, (ast.List, ast.Tuple)) else [o])
            if isinstance(element, ast.Constant) and isinstance(element.value, str)
        ]
        for name in names:
            allowed = _answers_of(earlier[name], instrument)
            if allowed is None:
                continue
            for value in literals:
                if value not in allowed:
                    problems.append(
                        (
                            loc,
                            f"condition {source!r} compares {name} with {value!r}, which is "
                            f"not an answer it can have; expected one of {', '.join(allowed)}",
                        )
                    )
    return problems


def load(path: str | Path) -> Instrument:
    """Read and check an instrument file; raises :class:`InstrumentError` with every problem."""
    return load_text(yamlfile.read_text(path), str(path))


def bundled() -> list[str]:
    """The names of the instruments that come with ismonitor."""
    folder = resources.files(BUNDLED_PACKAGE)
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


@cache
def _load_bundled(name: str) -> Instrument:
    resource = resources.files(BUNDLED_PACKAGE) / f"{name}.yaml"
    return load_text(resource.read_text(encoding="utf-8"), f"{name}.yaml")


def get(name_or_path: str | Path) -> Instrument:
    """A bundled instrument by name (``ism-2018``), or an instrument file by path."""
    name = str(name_or_path)
    if name in bundled():
        return _load_bundled(name)
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load(path)
    raise InstrumentError(
        name,
        [
            Problem(
                None,
                (),
                f"no bundled instrument and no file by that name; bundled: {', '.join(bundled())}",
            )
        ],
    )
