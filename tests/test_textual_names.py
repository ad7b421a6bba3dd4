"""Our app, widgets and screens must not shadow Textual's private names by accident: a method
called `_render` replaced Widget._render, and selecting text then crashed the app (issue 14)."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import pkgutil
import re

from textual.dom import DOMNode
from textual.widget import Widget

import chat_tui.screens
import chat_tui.widgets

# Names Textual's own machinery gives every class (metaclass, reactives, handlers).
_GENERATED = set(vars(type("_Probe", (Widget,), {})))
# Textual names we set on purpose, with why.
_DELIBERATE = {
    "_bindings_ready",  # SteadyFooter.bindings_changed sets Footer's flag as Footer's own does
}
_ASSIGNED = re.compile(r"self\.(_[a-z]\w*)\s*(?::[^=\n]*)?=(?!=)")


def _our_classes() -> list[type[DOMNode]]:
    classes: list[type[DOMNode]] = []
    names = ["chat_tui.app"]
    for package in (chat_tui.widgets, chat_tui.screens):
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    for name in names:
        module = importlib.import_module(name)
        classes += [
            cls
            for cls in vars(module).values()
            if inspect.isclass(cls)
            and issubclass(cls, DOMNode)
            and cls.__module__ == module.__name__
        ]
    return classes


def _private_names(cls: type) -> set[str]:
    names = {n for n in vars(cls) if n.startswith("_") and not n.startswith("__")}
    with contextlib.suppress(OSError, TypeError):  # a class without source has no more
        names |= set(_ASSIGNED.findall(inspect.getsource(cls)))
    return names


def test_no_widget_or_screen_shadows_a_private_textual_name() -> None:
    classes = _our_classes()
    assert classes, "found no widget classes to check"
    clashes: list[str] = []
    for cls in classes:
        textual_bases = [b for b in cls.__mro__[1:] if b.__module__.startswith("textual")]
        textual_names = set().union(*(_private_names(b) for b in textual_bases))
        ours = set().union(
            *(_private_names(b) for b in cls.__mro__ if b.__module__.startswith("chat_tui"))
        )
        reactive_defaults = {f"_default_{name}" for name in getattr(cls, "_reactives", {})}
        for name in sorted(ours & textual_names - _GENERATED - _DELIBERATE - reactive_defaults):
            clashes.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert not clashes, f"these shadow Textual's own private names: {clashes}"
