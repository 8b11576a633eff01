"""Configuring and building with CMake."""
import os
import subprocess
import sys

from errors import UserError
from paths import ROOT, kernel_image


def build(build_dir, tests=True, verbose=False):
    """Configures (once) and builds everything into `build_dir`."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        configure(build_dir, tests, verbose)
    _step(["cmake", "--build", build_dir, "-j", _jobs()], "building", verbose)


def configure(build_dir, tests=True, verbose=False):
    """Configures `build_dir`; one configured already is generated again with its own settings."""
    cmd = ["cmake", "-S", ROOT, "-B", build_dir]
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        cmd.append("-DIPCLAB_TESTS=" + ("ON" if tests else "OFF"))
    _step(cmd, "configuring", verbose)


def build_target(build_dir, target, what, verbose=False):
    """Brings one target of a configured `build_dir` up to date; says nothing unless it fails
    (or `verbose`), so a front end that calls it each time stays quiet."""
    _step(["cmake", "--build", build_dir, "--target", target, "-j", _jobs()], what, verbose, announce=verbose)


def _jobs():
    return str(os.cpu_count() or 2)


def require_build(build_dir):
    """Raises a clear error unless a kernel image has been built."""
    if not os.path.exists(kernel_image(build_dir)):
        raise UserError("no kernel image at " + kernel_image(build_dir) + ": run 'scripts/ipclab build' first")


def _step(cmd, what, verbose, announce=True):
    if announce:
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
