"""Checks of the JSON values in experiment descriptions; each raises a UserError that names
where the problem is ("experiments/x/experiment.json.runs[2].mpi.ranks: ...")."""
from errors import UserError


def fail(where, message):
    raise UserError(where + ": " + message)


def check_keys(obj, where, required, optional):
    """`obj` is an object with every key of `required` and no key outside both lists."""
    if not isinstance(obj, dict):
        fail(where, "expected an object")
    for k in required:
        if k not in obj:
            fail(where, "missing '" + k + "'")
    for k in obj:
        if k not in required and k not in optional:
            fail(where, "unknown key '" + k + "' (allowed: " + ", ".join(sorted(required + optional)) + ")")


def expect(value, kind, where):
    """`value` is of `kind` (str, int, bool, list, dict); true and false are no integers."""
    if kind is int and isinstance(value, bool):
        fail(where, "expected an integer")
    if not isinstance(value, kind):
        fail(where, "expected " + {str: "a string", int: "an integer", bool: "true or false",
                                   list: "a list", dict: "an object"}[kind])


def name(value, where):
    """A name of a run, task, object, program or variant: 1-31 letters, digits, '_', '-', '.'."""
    expect(value, str, where)
    if not value or len(value) > 31 or not all(c.isalnum() or c in "_-." for c in value):
        fail(where, "names are 1-31 letters, digits, '_', '-' or '.': '" + value + "'")
