"""A tiny component that hands a value straight back, for testing value conversion through
the real C API: `Echo(ty)(value)` lowers `value` as wasmtime-py's type `ty` into wasm
memory and lifts it out again.

Why a component of our own: wasmtime-py converts values to the C API's only at a call
boundary, and the built components neither take nor return most golem:llm values as they
are (nor any Golem host-call value at all).  This one's export is
`echo: func(x: tuple<T, u64 × 16>) -> tuple<T, u64 × 16>`, where T is written out from `ty`
(so `ty` may come from any component's function types); a tuple that wide flattens to more
than 16 core values, so the canonical ABI passes it, and returns it, through memory, and the
core function returns its argument pointer unchanged.
"""

from __future__ import annotations

from typing import Any

import wasmtime
from wasmtime import component as wc

_PRIMITIVES = {wc.Bool: "bool", wc.S8: "s8", wc.S16: "s16", wc.S32: "s32", wc.S64: "s64",
               wc.U8: "u8", wc.U16: "u16", wc.U32: "u32", wc.U64: "u64", wc.F32: "f32",
               wc.F64: "f64", wc.Char: "char", wc.String: "string"}
_PAD = (0,) * 16

_CORE = """
  (core module $m
    (memory (export "memory") 64)
    (global $next (mut i32) (i32.const 16))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      ;; a bump allocator: align up, hand out, never free (one instance per echo)
      (local.set $at (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
                              (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $at) (local.get 3)))
      (local.get $at))
    (func (export "echo") (param i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m))
"""


class _TypeText:
    """Component-model text for wasmtime-py types; records, variants, enums and flags are
    defined and exported under made-up names, as a component's exported signature needs."""

    def __init__(self) -> None:
        self.definitions: list[str] = []

    def of(self, ty: Any) -> str:
        for cls, name in _PRIMITIVES.items():
            if isinstance(ty, cls):
                return name
        if isinstance(ty, wc.ListType):
            return f"(list {self.of(ty.element)})"
        if isinstance(ty, wc.TupleType):
            return f"(tuple {' '.join(self.of(t) for t in ty.elements)})"
        if isinstance(ty, wc.OptionType):
            return f"(option {self.of(ty.payload)})"
        if isinstance(ty, wc.ResultType):
            ok = "" if ty.ok is None else f" {self.of(ty.ok)}"
            err = "" if ty.err is None else f" (error {self.of(ty.err)})"
            return f"(result{ok}{err})"
        if isinstance(ty, wc.RecordType):
            return self._named("record " + " ".join(
                f'(field "{name}" {self.of(t)})' for name, t in ty.fields))
        if isinstance(ty, wc.VariantType):
            return self._named("variant " + " ".join(
                f'(case "{name}")' if t is None else f'(case "{name}" {self.of(t)})'
                for name, t in ty.cases))
        if isinstance(ty, wc.EnumType):
            return self._named("enum " + " ".join(f'"{name}"' for name in ty.names))
        if isinstance(ty, wc.FlagsType):
            return self._named("flags " + " ".join(f'"{name}"' for name in ty.names))
        raise TypeError(f"cannot echo a {type(ty).__name__}")

    def _named(self, body: str) -> str:
        name = f"t{len(self.definitions) + 1}"
        self.definitions.append(f"(type ${name}-def ({body}))\n"
                                f"(export ${name} \"{name}\" (type ${name}-def))")
        return f"${name}"


class Echo:
    """`Echo(ty)(value)`: `value`, a wasmtime-py value of type `ty`, through wasm and back."""

    def __init__(self, ty: Any) -> None:
        text = _TypeText()
        payload = text.of(ty)
        wat = ("(component\n" + "\n".join(text.definitions)
               + f"\n(type $arg (tuple {payload}{' u64' * len(_PAD)}))\n" + _CORE
               + """  (func $echo (param "x" $arg) (result $arg)
    (canon lift (core func $i "echo") (memory (core memory $i "memory"))
                (realloc (core func $i "realloc"))))
  (export "echo" (func $echo)))""")
        self.engine = wasmtime.Engine()
        self.component = wc.Component(self.engine, wat)

    def __call__(self, value: Any) -> Any:
        store = wasmtime.Store(self.engine)
        instance = wc.Linker(self.engine).instantiate(store, self.component)
        echo = instance.get_func(store, instance.get_export_index(store, "echo"))
        assert echo is not None
        out = echo(store, (value,) + _PAD)
        echo.post_return(store)
        assert out[1:] == _PAD
        return out[0]
