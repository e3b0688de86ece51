"""Command-line values to the types the commands take, without pydantic.

typer (0.29) converts every parameter's value through a pydantic TypeAdapter,
built while the command line is parsed: importing pydantic and building the
adapters costs more than all the rest of `events list` or `config show`. Every
command pays it, because of the help option alone (its value is None unless
-h is given, and typer builds the adapter before looking at the value).

`install(params)` gives each parameter of lambda-new's types (str, float, Path,
list[str]; bool flags are never converted) a plain-Python conversion that gives
exactly what typer's would. A value it is not sure about (a number that is not
plain decimal, a path whose checks fail, anything unexpected) goes to typer's own
conversion instead: the same value and the same one-line error, at pydantic's
cost. A parameter of any other type, or with typer extras (parser, min/max, path
options), keeps typer's conversion. tests/test_cli.py checks that the everyday
commands do not import pydantic, so a typer release that changes this machinery
is noticed, not slow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer._click import Context
from typer._click.core import Parameter
from typer._coercion import RuntimeParam, build_runtime_param
from typer._param_types import coerce_cli_path
from typer.core import _TyperParameter

# What Python's float() and pydantic read as the same number (pydantic also takes
# "1_000" and "inf"; Python also takes non-ASCII digits): the rest goes to typer.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

_PLAIN_TYPES: tuple[Any, ...] = (str, bool, float, Path, list[str])


class _Unsure(Exception):
    """The plain conversion cannot promise typer's result for this value."""


@dataclass(frozen=True)
class _Plain(RuntimeParam):
    """typer's conversion for lambda-new's parameter types, in plain Python."""

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        try:
            return self._plain(value, param, ctx)
        except Exception:  # typer decides: its value, or its error message
            typer_own = build_runtime_param(param.type_descriptor)
            return typer_own._coerce_value(value, param=param, ctx=ctx)

    def _plain(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        annotation = self.annotation
        if annotation is str and type(value) is str:
            return value
        if annotation is float and type(value) is str and _DECIMAL.fullmatch(value):
            return float(value)
        if annotation is Path and isinstance(value, str | Path):
            path = Path(value)
            if isinstance(value, str) and str(path) != value:
                raise _Unsure  # "./x", "x/": typer's messages quote the value as given
            # typer's own checks (readable...), given a Path: no pydantic
            return coerce_cli_path(path, self.parameter_info, path_type=Path, param=param, ctx=ctx)
        if annotation == list[str] and all(type(item) is str for item in value):
            return list(value)
        raise _Unsure


def _plain_is_exact(param: _TyperParameter) -> bool:
    descriptor = param.type_descriptor
    info = descriptor.parameter_info
    return (
        descriptor.annotation in _PLAIN_TYPES
        and descriptor.file_annotation is None
        and info.parser is None
        and info.min is None
        and info.max is None
        and not info.clamp
        and info.path_type is None
        and not info.allow_dash
        and not info.resolve_path
    )


def install(params: Iterable[Parameter]) -> None:
    """Convert these parameters' values without pydantic where that is exact."""
    for param in params:
        if (
            isinstance(param, _TyperParameter)
            and param._runtime_param is None  # not converted yet
            and _plain_is_exact(param)
        ):
            descriptor = param.type_descriptor
            param._runtime_param = _Plain(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
