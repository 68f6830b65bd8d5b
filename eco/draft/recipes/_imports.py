"""How a recipe refers to a stdlib name it needs: reuse the module's import, or add one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from eco.draft.recipes._edit import Edit
from eco.draft.scope import Scope

__all__ = ["Reference", "reference"]


@dataclass(frozen=True)
class Reference:
    """The expression text to use, and the import to add (if any)."""

    text: str
    module: str
    #: ``None``: nothing to add; ``"module"``: ``import module``; ``"name"``: ``from module import name``.
    add: Literal["module", "name"] | None

    def register(self, edit: Edit) -> None:
        if self.add == "module":
            edit.need_import(self.module)
        elif self.add == "name":
            edit.need_import(self.module, self.text)


def reference(
    scope: Scope, module: str, name: str, prefer: Literal["module", "name"]
) -> Reference | None:
    """How to spell ``module.name`` inside ``scope``; ``None`` when every spelling would clash.

    An existing ``from module import name`` wins, then an existing ``import module``; failing
    both, a new import of the preferred kind is added when its name is free everywhere.
    """
    facts = scope.facts
    info = scope.info
    if info.imports_name(name, module, name) and facts.free_global(name):
        return Reference(name, module, None)
    for local, dotted in info.module_imports.items():
        if dotted == module and info.imports_module(local, module) and facts.free_global(local):
            return Reference(f"{local}.{name}", module, None)
    if prefer == "name" and facts.builtin(name) and _free_in_every_function(scope, name):
        return Reference(name, module, "name")
    if (
        prefer == "module"
        and "." not in module
        and facts.builtin(module)
        and _free_in_every_function(scope, module)
    ):
        return Reference(f"{module}.{name}", module, "module")
    return None


def _free_in_every_function(scope: Scope, name: str) -> bool:
    # A new module-level binding is harmless to other functions that bind the name locally,
    # but `global name` anywhere would make them share it.
    return name not in scope.info.globals_declared
