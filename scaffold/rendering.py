"""Running copier for a verb: what it raises as one-line errors, its warnings as lines.

`new` (scaffold/project.py) and `update` (scaffold/updater.py) both render
through copier; this is the part they share. The git commands copier runs are
hardened by `scaffold.vcs.for_copier`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

from scaffold import catalog, questions
from scaffold.errors import Interrupted, LambdaNewError, UsageError, first_error_line


@contextmanager
def copier_errors(source: str, data: dict[str, Any]) -> Iterator[list[str]]:
    """Turn what copier raises into one-line errors; collect its warnings as lines."""
    import warnings

    import jinja2
    from copier.errors import CopierAnswersInterrupt, CopierError, UnsafeTemplateError
    from plumbum import ProcessExecutionError

    lines: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield lines
    except CopierAnswersInterrupt:  # Ctrl-C at a prompt: its message is all the answers
        raise Interrupted("interrupted; nothing was written") from None
    except UnsafeTemplateError as error:
        raise UsageError(
            f"{source} runs code on this machine ({_unsafe_features(error)}): its copier.yml "
            "has _tasks, migrations or _jinja_extensions. Pass --trust only if you trust "
            "where it comes from"
        ) from None
    except ValueError as error:
        refused = _refused_answer(error, data)
        if refused is None:
            raise  # not an answer copier refused: a bug, with its traceback
        raise UsageError(refused) from None
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


def _refused_answer(error: ValueError, data: dict[str, Any]) -> str | None:
    """An answer copier refused, as a one-line CLI message; None for any other error.

    copier raises a plain ValueError from its Question, in `_parse_answer` (a value
    that is not one of the choices) or `validate_answer` (the question's validator
    rendered a message). Which question, its choices and the validator's message are
    read from that Question, where the error was raised, not parsed out of its text.
    """
    frame = _raising_frame(error)
    if frame is None or frame.f_globals.get("__name__") != "copier._user_data":
        return None
    found = frame.f_locals.get("self")
    name = getattr(found, "var_name", None)
    if not isinstance(name, str):
        return None
    question = questions.BY_NAME.get(name)
    value = data.get(name)
    if frame.f_code.co_name == "_parse_answer":
        choices = [str(choice) for choice in frame.f_locals.get("valid", [])]
        shown = frame.f_locals.get("ans", value)
        noun = question.noun if question else name
        if name == "runtime_version":  # "Python version", from the template's own catalog
            context = getattr(found, "context", {})
            with suppress(LookupError, TypeError):
                family = context["catalog"][0]["runtimes"][context["runtime"]]
                noun, choices = f"{family['label']} version", catalog.by_version(choices)
        return catalog.unknown_choice(noun, str(shown), choices)
    if frame.f_code.co_name == "validate_answer":
        reason = " ".join(str(frame.f_locals.get("err_msg", "")).split())
        shown = f" {value!r}" if isinstance(value, str) and len(value) <= 80 else ""
        return f"invalid {question.label if question else name}{shown}: {reason}"
    return None


def _unsafe_features(error: BaseException) -> str:
    """What copier found unsafe ("tasks", "migrations"...): its own list, where it raised."""
    frame = _raising_frame(error)
    features = frame.f_locals.get("features") if frame is not None else None
    if isinstance(features, list | tuple | set | frozenset) and features:
        return ", ".join(sorted(str(feature) for feature in features))
    return "tasks, migrations or extensions"


def _raising_frame(error: BaseException) -> FrameType | None:
    traceback = error.__traceback__
    if traceback is None:
        return None
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback.tb_frame
