"""No attribute of the project's widgets, screens or app hides a name Textual itself uses.

Textual calls its own methods on our objects (a double-click calls `self.query(...)` on the
widget under the mouse), so a project attribute with a Textual name must be an override of the
same kind: a method for a method with the parameters Textual passes, a property for a property,
data for data (BINDINGS, CSS, a reactive). Anything else breaks Textual somewhere, later, in
front of a user.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterator

import pytest
from textual.app import App
from textual.dom import DOMNode

PACKAGES = ("widgets", "screens", "tui")


def _project_classes() -> Iterator[type[DOMNode]]:
    seen: set[type] = set()
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module_info in pkgutil.walk_packages(package.__path__, package_name + "."):
            if module_info.name.endswith(".__main__"):
                continue  # running it is the command itself
            module = importlib.import_module(module_info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, DOMNode) and cls.__module__ == module.__name__ and cls not in seen:
                    seen.add(cls)
                    yield cls


def _textual_base(cls: type) -> type:
    """The nearest class of Textual's own in `cls`'s MRO: what our attributes may hide."""
    return next(base for base in cls.__mro__ if base.__module__.split(".")[0] == "textual")


def _textual_attribute(base: type, name: str) -> object:
    for klass in base.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def _kind(value: object) -> str:
    if isinstance(value, (staticmethod, classmethod)):
        return type(value).__name__
    if isinstance(value, property):
        return "property"
    if inspect.isfunction(value):
        return "method"
    if inspect.isclass(value):
        return "class"
    return "data"


def _parameters(function) -> list[tuple[str, object]]:
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]


def _problem(name: str, ours: object, theirs: object) -> str | None:
    if _kind(ours) != _kind(theirs):
        return f"is a {_kind(ours)} where Textual has a {_kind(theirs)}"
    if _kind(ours) == "method" and _parameters(ours) != _parameters(theirs):
        return f"takes {_parameters(ours)} where Textual's takes {_parameters(theirs)}"
    if _kind(ours) == "class" and not issubclass(ours, theirs):
        return "is a class that does not extend Textual's"
    return None


def _instance_attributes(cls: type) -> set[str]:
    """Names the class's own methods assign on `self`."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return set()
    names = set()
    for node in ast.walk(tree):
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, (ast.AnnAssign, ast.AugAssign))
            else []
        )
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                names.add(target.attr)
    return names


def _settable(theirs: object) -> bool:
    """Textual means it to be set on instances: a reactive or a property with a setter."""
    if isinstance(theirs, property):
        return theirs.fset is not None
    return hasattr(theirs, "__set__") or _kind(theirs) == "data"


def _shadowing(cls: type) -> list[str]:
    base = _textual_base(cls)
    problems = []
    for name, ours in vars(cls).items():
        if name.startswith("__") or name in {"_abc_impl"}:
            continue
        theirs = _textual_attribute(base, name)
        if theirs is None:
            continue
        problem = _problem(name, ours, theirs)
        if problem:
            problems.append(f"{cls.__module__}.{cls.__qualname__}.{name} {problem}")
    for name in _instance_attributes(cls):
        theirs = _textual_attribute(base, name)
        if theirs is not None and not _settable(theirs) and name not in vars(cls):
            problems.append(
                f"{cls.__module__}.{cls.__qualname__}: self.{name} = … hides Textual's {_kind(theirs)} {name}"
            )
    return problems


PROJECT_CLASSES = sorted(_project_classes(), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_the_walk_finds_the_project_classes() -> None:
    names = {c.__name__ for c in PROJECT_CLASSES}
    assert {"TicketTable", "BoardScreen", "NewTicketScreen", "CommentScreen", "RatingScreen", "TicketsApp"} <= names
    assert any(issubclass(c, App) for c in PROJECT_CLASSES)


@pytest.mark.parametrize("cls", PROJECT_CLASSES, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_no_attribute_hides_a_textual_name(cls: type) -> None:
    assert _shadowing(cls) == []


class _Hiding(DOMNode):
    """What the check must catch: each kind of hiding once."""

    query = property(lambda self: None)  # a property where Textual has a method

    def refresh(self, everything: bool) -> None: ...  # not the parameters Textual passes

    def on_mount(self) -> None:
        self.children = []  # Textual's read-only property, replaced on the instance


def test_the_check_sees_what_it_must() -> None:
    problems = _shadowing(_Hiding)
    assert any(".query is a property where Textual has a method" in p for p in problems)
    assert any(".refresh takes" in p for p in problems)
    assert any("self.children" in p for p in problems)
