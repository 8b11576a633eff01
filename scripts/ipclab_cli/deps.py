"""Debian packages the project needs, installed when missing (apt-get, as root or via sudo)."""
import os
import shutil
import subprocess
import sys

from errors import UserError

PACKAGES = [
    # building the kernel, the user programs (musl) and the host tests
    "cmake", "make", "g++", "gcc", "binutils", "git", "musl-dev", "musl-tools", "libgtest-dev",
    # the host benchmarks (bench/host, scripts/ipclab bench host)
    "libbenchmark-dev",
    # running: the emulator; reporting: plots and source-line counts
    "qemu-system-x86", "python3-matplotlib", "cloc",
    # the Open MPI baseline and the test that runs our MPI source under Open MPI
    "openmpi-bin", "libopenmpi-dev",
    # the Linux guest of the baselines (scripts/ipclab baseline, docs/baselines.md)
    "linux-image-amd64", "busybox-static",
    # the host fuzz targets (tests/fuzz, scripts/ipclab_cli/fuzz_host.py): clang and its libFuzzer
    "clang-14", "libclang-rt-14-dev",
]


def missing(packages=PACKAGES):
    """Packages of `packages` that dpkg does not report as installed."""
    if not shutil.which("dpkg-query"):
        raise UserError("this is not a Debian system (no dpkg-query); install by hand: " + " ".join(packages))
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Status}\\n"] + list(packages),
                         capture_output=True, text=True).stdout
    installed = {line.split()[0] for line in out.splitlines() if line.endswith("install ok installed")}
    return [p for p in packages if p not in installed]


def ensure(packages=PACKAGES):
    """Installs whatever of `packages` is missing; raises UserError if that is impossible."""
    need = missing(packages)
    if not need:
        return
    if os.environ.get("IPCLAB_NO_INSTALL"):
        raise UserError("missing Debian packages: " + " ".join(need) + " (IPCLAB_NO_INSTALL is set)")
    prefix = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            raise UserError("missing Debian packages: " + " ".join(need) +
                            "; run as root: apt-get install " + " ".join(need))
        prefix = ["sudo"]
    print("ipclab: installing " + " ".join(need), file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + need):
        if subprocess.run(prefix + cmd, env=env).returncode != 0:
            raise UserError("'" + " ".join(cmd) + "' failed; install by hand: " + " ".join(need))
