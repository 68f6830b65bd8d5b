"""Canonical forms of Python values, and the tolerant comparison of two of them.

The replay worker turns every return value, exception and post-call argument into a
*canonical form*: a JSON-able structure of builtins only, so eco's own process compares
results without ever unpickling an object the code under test made.

Shape of a canonical form:

- ``None``, ``bool``, ``int`` (up to 1000 digits) and ``str`` stand for themselves;
- everything else is a dict tagged by ``"t"``: ``float`` (``"v"``: a number or
  ``"nan"``/``"inf"``/``"-inf"``), ``bigint``, ``complex``, ``bytes`` (hex), ``list`` /
  ``tuple`` / ``set`` / ``dict`` (with ``"type"`` for subclasses such as namedtuples,
  OrderedDict, Counter), ``obj`` (class + attributes), ``enum``, ``ndarray``, ``pandas``,
  ``iter`` (a returned generator, consumed), ``ref`` (a module-level function or class),
  ``repr`` (a value known only by its repr), ``cycle``, ``digest`` (a large value,
  compared by hash);
- ``{"t": "opaque", "why": ...}`` marks a value eco could not see into: a repr holding a
  memory address, a local function, a value too deep. Opaque never equals anything, not
  even itself — a comparison that cannot be made must fail, never pass.

Order is kept where Python makes it observable (lists, tuples, dicts); sets are sorted by
the canonical JSON of their members; an object's attributes are sorted by name.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
import sys
import types
from collections import deque
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any

__all__ = ["canonicalize", "describe", "difference"]

#: Values whose canonical JSON is longer than this are kept as a digest only.
MAX_CANONICAL_CHARS = 256 * 1024
#: Nesting deeper than this becomes opaque.
MAX_DEPTH = 60
#: Items consumed from a returned iterator before giving up on it.
MAX_ITER_ITEMS = 100_000
_MAX_INT_DIGITS = 1000
_ADDRESS_MARK = " at 0x"
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE

#: Types whose repr is a faithful, deterministic value (datetime, Decimal, UUID, ...).
_REPR_MODULES = {"datetime", "decimal", "fractions", "uuid", "pathlib", "ipaddress", "re"}


def canonicalize(obj: Any) -> Any:
    """The canonical form of ``obj`` (see the module docstring). Never raises."""
    canon = _Canon()
    try:
        form = canon.form(obj, 0)
    except Exception as exc:  # a __repr__ or property of the code under test raised
        return _opaque(f"cannot inspect value: {type(exc).__name__}: {exc}")
    try:
        text = json.dumps(form, sort_keys=True)
    except (TypeError, ValueError) as exc:
        return _opaque(f"cannot serialize value: {exc}")
    if len(text) > MAX_CANONICAL_CHARS:
        if canon.saw_opaque:
            return _opaque("large value with parts that cannot be compared")
        return {
            "t": "digest",
            "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
            "chars": len(text),
        }
    return form


def _opaque(why: str) -> dict[str, str]:
    return {"t": "opaque", "why": why[:300]}


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _key(form: Any) -> str:
    return json.dumps(form, sort_keys=True)


class _Canon:
    def __init__(self) -> None:
        #: ids of the containers being walked (cycle detection)
        self.path: list[int] = []
        #: True once any part was opaque: such a value must never be reduced to a digest
        self.saw_opaque = False

    def opaque(self, why: str) -> dict[str, str]:
        self.saw_opaque = True
        return _opaque(why)

    def form(self, obj: Any, depth: int) -> Any:
        if obj is None or type(obj) in (bool, str):
            return obj
        cls = type(obj)
        if cls is int:
            if abs(obj).bit_length() > _MAX_INT_DIGITS * 3:
                return {"t": "bigint", "hex": hex(obj)}
            return obj
        if cls is float:
            return _float(obj)
        if depth > MAX_DEPTH:
            return self.opaque(f"nested deeper than {MAX_DEPTH} levels")
        if id(obj) in self.path:
            return {"t": "cycle", "up": len(self.path) - self.path.index(id(obj))}
        self.path.append(id(obj))
        try:
            return self._container(obj, cls, depth + 1)
        finally:
            self.path.pop()

    def _container(self, obj: Any, cls: type, depth: int) -> Any:
        form = self.form
        if isinstance(obj, enum.Enum):
            return {"t": "enum", "type": _qualname(cls), "name": obj.name}
        if isinstance(obj, bool | int | float | str) and cls not in (bool, int, float, str):
            base = next(b for b in (bool, int, float, str) if isinstance(obj, b))
            return {
                "t": "sub",
                "type": _qualname(cls),
                "v": form(base(obj), depth),
                "attrs": self._attrs(obj, depth),
            }
        if cls is complex:
            return {"t": "complex", "re": _float(obj.real), "im": _float(obj.imag)}
        if cls in (bytes, bytearray, memoryview):
            return {"t": cls.__name__, "hex": bytes(obj).hex()}
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            if isinstance(obj, numpy.ndarray):
                return {
                    "t": "ndarray",
                    "dtype": str(obj.dtype),
                    "shape": list(obj.shape),
                    "v": form(obj.tolist(), depth),
                }
            if isinstance(obj, numpy.generic):
                return {"t": "npscalar", "dtype": str(obj.dtype), "v": form(obj.item(), depth)}
        pandas = sys.modules.get("pandas")
        if pandas is not None and isinstance(obj, pandas.DataFrame | pandas.Series | pandas.Index):
            return self._pandas(obj, depth)
        if isinstance(obj, list | tuple):
            tag = "list" if isinstance(obj, list) else "tuple"
            out: dict[str, Any] = {"t": tag, "v": [form(x, depth) for x in obj]}
            if cls not in (list, tuple):
                out["type"] = _qualname(cls)
                out["attrs"] = self._attrs(obj, depth)
            return out
        if isinstance(obj, dict):
            out = {"t": "dict", "v": [[form(k, depth), form(v, depth)] for k, v in obj.items()]}
            if cls is not dict:
                out["type"] = _qualname(cls)
                factory = getattr(obj, "default_factory", None)
                if factory is not None:
                    out["factory"] = form(factory, depth)
                out["attrs"] = self._attrs(obj, depth)
            return out
        if isinstance(obj, set | frozenset):
            members = sorted((form(x, depth) for x in obj), key=_key)
            out = {"t": "set" if isinstance(obj, set) else "frozenset", "v": members}
            if cls not in (set, frozenset):
                out["type"] = _qualname(cls)
            return out
        if isinstance(obj, Mapping):
            items = [[form(k, depth), form(v, depth)] for k, v in obj.items()]
            return {"t": "dict", "type": _qualname(cls), "v": items}
        if isinstance(obj, BaseException):
            return {
                "t": "exc",
                "type": _qualname(cls),
                "args": form(obj.args, depth),
                "attrs": self._attrs(obj, depth),
            }
        if isinstance(obj, types.ModuleType):
            return {"t": "ref", "name": obj.__name__}
        if isinstance(obj, type | types.FunctionType | types.BuiltinFunctionType):
            name = getattr(obj, "__qualname__", "")
            if "<" in name or getattr(obj, "__module__", None) in (None, "__main__"):
                return self.opaque(f"local function or class {name}")
            return {"t": "ref", "name": f"{obj.__module__}.{name}"}
        if isinstance(obj, KeysView | ValuesView | ItemsView | deque):
            return {"t": "list", "type": _qualname(cls), "v": [form(x, depth) for x in obj]}
        if isinstance(obj, types.GeneratorType) or (
            isinstance(obj, Iterator) and not _is_heap_type(cls)
        ):
            return self._iterator(obj, depth)
        if cls.__module__.split(".")[0] in _REPR_MODULES:
            return self._repr(obj, cls)
        hidden = any(not _is_heap_type(k) for k in cls.__mro__ if k is not object)
        if not hidden and (hasattr(obj, "__dict__") or hasattr(cls, "__slots__")):
            return {"t": "obj", "type": _qualname(cls), "attrs": self._attrs(obj, depth)}
        # A builtin or C-extension type (or a subclass of one) keeps state eco cannot
        # list: its repr is all there is.
        return self._repr(obj, cls)

    def _attrs(self, obj: Any, depth: int) -> list[list[Any]]:
        attrs: dict[str, Any] = {}
        for klass in reversed(type(obj).__mro__):
            slots = klass.__dict__.get("__slots__", ())
            for slot in [slots] if isinstance(slots, str) else slots:
                if slot in ("__dict__", "__weakref__"):
                    continue
                try:
                    attrs[slot] = getattr(obj, slot)
                except AttributeError:
                    attrs[slot] = _Unset
        attrs.update(getattr(obj, "__dict__", {}))
        return [
            [name, {"t": "unset"} if value is _Unset else self.form(value, depth)]
            for name, value in sorted(attrs.items())
        ]

    def _iterator(self, obj: Iterator[Any], depth: int) -> Any:
        items = []
        for n, item in enumerate(obj):
            if n >= MAX_ITER_ITEMS:
                return self.opaque(f"returned iterator longer than {MAX_ITER_ITEMS} items")
            items.append(self.form(item, depth))
        return {"t": "iter", "type": _qualname(type(obj)), "v": items}

    def _pandas(self, obj: Any, depth: int) -> Any:
        out: dict[str, Any] = {"t": "pandas", "type": _qualname(type(obj))}
        if hasattr(obj, "columns"):
            out["columns"] = self.form(list(obj.columns), depth)
            out["dtypes"] = [str(d) for d in obj.dtypes]
            out["v"] = self.form(obj.to_numpy().tolist(), depth)
            out["index"] = self.form(list(obj.index), depth)
        elif hasattr(obj, "index"):  # Series
            out["dtype"] = str(obj.dtype)
            out["name"] = self.form(obj.name, depth)
            out["v"] = self.form(obj.to_numpy().tolist(), depth)
            out["index"] = self.form(list(obj.index), depth)
        else:  # Index
            out["dtype"] = str(obj.dtype)
            out["v"] = self.form(list(obj), depth)
        return out

    def _repr(self, obj: Any, cls: type) -> Any:
        text = repr(obj)
        if _ADDRESS_MARK in text:
            # Two processes can lay memory out identically: an address must never make
            # two different objects look equal.
            return self.opaque(f"{_qualname(cls)} known only by a repr with an address")
        return {"t": "repr", "type": _qualname(cls), "v": text}


class _UnsetType:
    pass


_Unset = _UnsetType()


def _is_heap_type(cls: type) -> bool:
    """True for classes defined in Python (their state is in ``__dict__``/slots)."""
    return bool(cls.__flags__ & _HEAPTYPE)


def _float(x: float) -> Any:
    if math.isnan(x):
        return {"t": "float", "v": "nan"}
    if math.isinf(x):
        return {"t": "float", "v": "inf" if x > 0 else "-inf"}
    return {"t": "float", "v": x}


def difference(a: Any, b: Any, rel_tol: float = 0.0, abs_tol: float = 0.0) -> str | None:
    """None when two canonical forms are equal, else where they first differ, e.g.
    ``"[2]: 3 != 4"``. Floats are equal when identical (NaN equals NaN), or within
    ``math.isclose(rel_tol, abs_tol)`` when a tolerance is given. A form marked opaque never
    compares equal."""
    return _diff(a, b, "", rel_tol, abs_tol)


def _is_tag(form: Any, tag: str) -> bool:
    return isinstance(form, dict) and form.get("t") == tag


def _diff(a: Any, b: Any, where: str, rel: float, abs_: float) -> str | None:
    at = where or "value"
    for side in (a, b):
        if _is_tag(side, "opaque"):
            return f"{at}: cannot be compared ({side.get('why', '')})"
    if type(a) is not type(b) or (isinstance(a, dict) and a.get("t") != b.get("t")):
        return f"{at}: {describe(a)} != {describe(b)}"
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{at}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _diff(x, y, f"{where}[{i}]", rel, abs_)
            if found:
                return found
        return None
    if not isinstance(a, dict):
        return None if a == b else f"{at}: {describe(a)} != {describe(b)}"
    tag = a["t"]
    if tag == "float":
        if _close(a["v"], b["v"], rel, abs_):
            return None
        return f"{at}: {describe(a)} != {describe(b)}"
    if tag == "digest":
        if a == b:
            return None
        return f"{at}: large values differ (compared by digest, without float tolerance)"
    if set(a) != set(b):
        return f"{at}: {describe(a)} != {describe(b)}"
    # Everything but the contents first: type names, dtypes, shapes.
    for k in sorted(set(a) - {"t", "v", "attrs"}):
        if a[k] != b[k] and not isinstance(a[k], list | dict):
            return f"{at}: {k} {describe(a[k])} != {describe(b[k])}"
        found = _diff(a[k], b[k], f"{where}.{k}", rel, abs_)
        if found:
            return found
    if "attrs" in a:
        found = _pairs(a["attrs"], b["attrs"], where, rel, abs_, attrs=True)
        if found:
            return found
    if "v" in a:
        if tag == "dict":
            return _pairs(a["v"], b["v"], where, rel, abs_, attrs=False)
        return _diff(a["v"], b["v"], where, rel, abs_)
    return None


def _pairs(
    a: list[Any], b: list[Any], where: str, rel: float, abs_: float, *, attrs: bool
) -> str | None:
    """Attributes (``[name, form]``) or dict items (``[key form, value form]``), in order."""
    at = where or "value"
    what = "attributes" if attrs else "keys"
    keys_a = [_key(k) for k, _ in a]  # JSON text, so True and 1 stay different
    keys_b = [_key(k) for k, _ in b]
    if keys_a != keys_b:
        if sorted(keys_a) == sorted(keys_b):
            return f"{at}: same {what} in a different order"
        return f"{at}: {what} {describe([k for k, _ in a])} != {describe([k for k, _ in b])}"
    for (k, x), (_, y) in zip(a, b, strict=True):
        found = _diff(x, y, f"{where}.{k}" if attrs else f"{where}[{describe(k, 30)}]", rel, abs_)
        if found:
            return found
    return None


def _close(x: Any, y: Any, rel: float, abs_: float) -> bool:
    if isinstance(x, str) or isinstance(y, str):
        return bool(x == y)  # nan == nan, inf == inf
    return math.isclose(x, y, rel_tol=rel, abs_tol=abs_)


def describe(form: Any, limit: int = 60) -> str:
    """A short, Python-looking rendering of a canonical form, for mismatch messages."""
    text = _render(form)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _render(form: Any) -> str:
    if not isinstance(form, dict):
        if isinstance(form, list):
            return "[" + ", ".join(_render(x) for x in form) + "]"
        return repr(form)
    t = form.get("t")
    v = form.get("v")
    if t == "float":
        return str(v) if not isinstance(v, str) else f"float('{v}')"
    if t in ("list", "iter"):
        return "[" + ", ".join(_render(x) for x in v or []) + "]"
    if t == "tuple":
        items = [_render(x) for x in v or []]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if t in ("set", "frozenset"):
        return "{" + ", ".join(_render(x) for x in v or []) + "}" if v else f"{t}()"
    if t == "dict":
        return "{" + ", ".join(f"{_render(k)}: {_render(x)}" for k, x in v or []) + "}"
    if t in ("bytes", "bytearray", "memoryview"):
        text = repr(bytes.fromhex(form.get("hex", "")))
        return text if t == "bytes" else f"{t}({text})"
    if t == "obj":
        attrs = ", ".join(f"{k}={_render(x)}" for k, x in form.get("attrs", []))
        return f"{str(form.get('type', '')).rsplit('.', 1)[-1]}({attrs})"
    if t in ("repr", "sub", "npscalar"):
        return str(v) if t == "repr" else _render(v)
    if t == "ndarray":
        return f"array({_render(v)})"
    if t == "enum":
        return f"{str(form.get('type', '')).rsplit('.', 1)[-1]}.{form.get('name')}"
    if t == "ref":
        return str(form.get("name"))
    if t == "bigint":
        return f"int({form.get('hex')}, 16)"
    if t == "opaque":
        return f"<{form.get('why')}>"
    if t == "digest":
        return f"<large value, {form.get('chars')} chars>"
    return json.dumps(form, sort_keys=True)
