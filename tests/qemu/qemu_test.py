"""Shared helpers of the QEMU integration tests: boot a scenario (tests/qemu/scenarios, in
the experiment format) or a raw run description through the harness's own runner, and
assert on the JSON lines the kernel and the tasks print, never on timing."""
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "ipclab_cli"))

import experiments  # noqa: E402
import runner  # noqa: E402
from paths import BUILD  # noqa: E402

ENV = {"IPCLAB_COMMIT": "test", "IPCLAB_POLICY": "capability", "IPCLAB_UNIT": runner.UNIT}


def scenario(name):
    return experiments.load_file(os.path.join(HERE, "scenarios", name + ".json"))


def boot_run(experiment, label, tag=""):
    """Boots one run of a scenario and returns its runner.Outcome."""
    run = next(r for r in experiment["runs"] if r["label"] == label)
    manifest, modules = runner.compose(run, ENV)
    return runner.boot(BUILD, "test-" + experiment["name"] + "-" + label + tag, manifest, modules,
                       experiment.get("timeout_seconds", 120), memory_mib=run.get("memory_mib", 512))


def boot_raw(name, manifest, modules, timeout=60):
    """Boots a hand-written run description (to test the kernel's own checks)."""
    return runner.boot(BUILD, "test-" + name, manifest, modules, timeout)


class QemuTest(unittest.TestCase):
    def assertRunStatus(self, out, status):
        self.assertEqual(out.status, status, "run ended %s, expected %s; log %s:\n%s" % (
            out.status, status, out.log, out.text[-3000:]))

    def assertNoPanic(self, out):
        self.assertEqual(out.events("panic"), [], out.text[-3000:])

    def event(self, out, name, **fields):
        """The one event `name` whose fields include `fields`."""
        found = [e for e in out.events(name) if all(e.get(k) == v for k, v in fields.items())]
        self.assertEqual(len(found), 1, "expected one %s event with %s in:\n%s" % (
            name, json.dumps(fields), out.text[-3000:]))
        return found[0]


def main():
    unittest.main(verbosity=2)
