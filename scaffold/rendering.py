"""Running copier for a verb: what it raises as one-line errors, its warnings as lines.

`new` (scaffold/project.py) and `update` (scaffold/update.py) both render
through copier; this is the part they share. The git commands copier runs are
hardened by `scaffold.vcs.for_copier`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scaffold.errors import LambdaNewError, UsageError, first_error_line

# What copier calls each question, as the user knows it.
QUESTION_LABELS = {
    "function_name": "function name",
    "runtime": "--runtime",
    "runtime_version": "--runtime-version",
    "trigger": "--trigger",
    "region": "--region",
    "architecture": "--arch",
    "description": "--description",
    "owner": "--owner",
    "team": "--team",
}


@contextmanager
def copier_errors(source: str, data: dict[str, Any]) -> Iterator[list[str]]:
    """Turn what copier raises into one-line errors; collect its warnings as lines."""
    import warnings

    import jinja2
    from copier.errors import CopierError, UnsafeTemplateError
    from plumbum import ProcessExecutionError

    lines: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield lines
    except UnsafeTemplateError as error:
        features = re.search(r"features?: (.*?)\.?$", str(error).splitlines()[0])
        raise UsageError(
            f"{source} runs code on this machine ({features[1] if features else 'tasks'}): "
            "its copier.yml has _tasks, migrations or _jinja_extensions. Pass --trust "
            "only if you trust where it comes from"
        ) from None
    except ValueError as error:
        raise UsageError(_answer_error(str(error), data)) from None
    except jinja2.TemplateError as error:
        raise LambdaNewError(f"{source} failed to render: {error}") from None
    except CopierError as error:
        raise LambdaNewError(str(error).strip().splitlines()[0]) from None
    except ProcessExecutionError as error:
        raise LambdaNewError(
            f"cannot read the template {source}: git said: {first_error_line(str(error.stderr))}"
        ) from None
    finally:
        lines.extend(
            " ".join(str(w.message).split()) for w in caught if _is_copier_warning(w.category)
        )


def _is_copier_warning(category: type[Warning]) -> bool:
    from copier.errors import CopierWarning

    return issubclass(category, CopierWarning)


def _answer_error(message: str, data: dict[str, Any]) -> str:
    """copier's 'Validation error for question ...' as a one-line CLI message."""
    match = re.match(r"(?:Validation error for question|Invalid choice for) '(\w+)': (.*)", message)
    if not match:
        return message.splitlines()[0]
    question, reason = match[1], " ".join(match[2].split())
    label = QUESTION_LABELS.get(question, question)
    value = data.get(question)
    shown = f" {value!r}" if isinstance(value, str) and len(value) <= 80 else ""
    return f"invalid {label}{shown}: {reason}"
