"""Configuring and building with CMake."""
import os
import subprocess
import sys

from errors import UserError
from paths import ROOT, kernel_image


def build(build_dir, tests=True, verbose=False):
    """Configures (once) and builds everything into `build_dir`."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        _step(["cmake", "-S", ROOT, "-B", build_dir, "-DIPCLAB_TESTS=" + ("ON" if tests else "OFF")],
              "configuring", verbose)
    jobs = str(os.cpu_count() or 2)
    _step(["cmake", "--build", build_dir, "-j", jobs], "building", verbose)


def require_build(build_dir):
    """Raises a clear error unless a kernel image has been built."""
    if not os.path.exists(kernel_image(build_dir)):
        raise UserError("no kernel image at " + kernel_image(build_dir) + ": run 'scripts/ipclab build' first")


def _step(cmd, what, verbose):
    print("ipclab: " + what + " (" + " ".join(cmd) + ")", file=sys.stderr, flush=True)
    if verbose:
        rc = subprocess.run(cmd).returncode
        output = ""
    else:
        p = subprocess.run(cmd, capture_output=True, text=True)
        rc, output = p.returncode, p.stdout + p.stderr
    if rc != 0:
        sys.stderr.write(output)
        raise UserError(what + " failed (exit " + str(rc) + ")")
