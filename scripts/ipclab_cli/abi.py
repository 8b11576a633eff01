"""Constants shared with the kernel, read from the kernel's own definition files."""
import os
import re

from paths import ROOT

_RUN_STATUS = re.compile(r"IPCLAB_RUN_STATUS\((\w+),\s*(\d+),\s*\"([^\"]*)\"\)")


def run_statuses():
    """{value: (name, description)} from abi/run_status.def."""
    with open(os.path.join(ROOT, "abi", "run_status.def"), encoding="utf-8") as f:
        return {int(v): (n, d) for n, v, d in _RUN_STATUS.findall(f.read())}


def run_status_of_exit(code):
    """The run status a QEMU exit code stands for: isa-debug-exit exits with
    (value << 1) | 1. Returns a name, or a description of what else happened."""
    statuses = run_statuses()
    if code is not None and code % 2 == 1 and (code >> 1) in statuses:
        return statuses[code >> 1][0]
    if code == 0:
        return "qemu_exited"  # the guest shut down without the debug-exit device
    return "qemu_failed"


_POLICY = re.compile(r"IPCLAB_POLICY\(\s*(\w+)\s*,\s*\"([^\"]*)\"\s*,\s*\"([^\"]*)\"\s*\)")
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def policies():
    """[(name, description)] in the order of kernel/policy/policies.def, the one list."""
    path = os.path.join(ROOT, "kernel", "policy", "policies.def")
    with open(path, encoding="utf-8") as f:
        text = _COMMENT.sub("", f.read())  # the file's own comment shows the macro's shape
    return [(name, description) for _, name, description in _POLICY.findall(text)]


_KILL_POINT = re.compile(r"IPCLAB_KILL_POINT\(\s*(\w+)\s*,\s*\"([^\"]*)\"\s*\)")


def kill_points():
    """[(name, where)] in the order of kernel/task/kill_points.def, the one list of the
    points where a run's "kill" directive may end a task (docs/fault-injection.md)."""
    path = os.path.join(ROOT, "kernel", "task", "kill_points.def")
    with open(path, encoding="utf-8") as f:
        text = _COMMENT.sub("", f.read())
    return _KILL_POINT.findall(text)
