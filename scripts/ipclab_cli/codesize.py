"""Code size of the parts of ipclab: source lines (cloc) and .text bytes (binutils' size)."""
import glob
import json
import os
import shutil
import subprocess

from errors import UserError
from paths import ROOT

# Each part: the source files it consists of (globs under the tree) and the built objects
# whose .text it has (globs under the build tree).
PARTS = [
    ("native IPC path (kernel)",
     ["kernel/ipc/*", "kernel/syscall/ipc.cpp", "abi/message.hpp", "abi/utcb.hpp", "abi/capability.hpp"],
     ["kernel/CMakeFiles/ipclab_kernel.dir/ipc/*.o", "kernel/CMakeFiles/ipclab_kernel.dir/syscall/ipc.cpp.o"]),
    ("MPI layer, kernel part",
     ["mpi_shim/kernel/*", "abi/comm.hpp"],
     ["kernel/CMakeFiles/ipclab_kernel.dir/__/mpi_shim/kernel/*.o"]),
    ("MPI layer, user library",
     ["mpi_shim/lib/*", "mpi_shim/include/*"],
     ["mpi_shim/CMakeFiles/ipclab_mpi.dir/lib/*.o"]),
    ("user runtime (native IPC API, stubs)",
     ["runtime/include/ipclab/*", "runtime/src/*"],
     ["runtime/CMakeFiles/ipclab_runtime.dir/src/*.o"]),
    ("whole kernel",
     ["kernel/**/*.cpp", "kernel/**/*.hpp", "kernel/**/*.S", "kernel/**/*.h", "kernel/freestanding/*",
      "mpi_shim/kernel/*", "abi/*"],
     ["kernel/kernel.elf"]),
]


def _files(patterns):
    found = set()
    for p in patterns:
        found.update(f for f in glob.glob(os.path.join(ROOT, p), recursive=True) if os.path.isfile(f))
    return sorted(found)


def source_lines(files):
    """Lines of code (not blank, not comment) as cloc counts them."""
    if not shutil.which("cloc"):
        raise UserError("cloc is missing: install Debian's cloc (scripts/ipclab reproduce does)")
    out = subprocess.run(["cloc", "--json", "--quiet", "--force-lang=C++,def"] + files, capture_output=True,
                         text=True)
    if out.returncode != 0 or not out.stdout.strip():
        return 0
    return json.loads(out.stdout).get("SUM", {}).get("code", 0)


def text_bytes(objects):
    """Sum of the .text* sections of object files, archives or executables."""
    total = 0
    for obj in objects:
        out = subprocess.run(["size", "-A", obj], capture_output=True, text=True).stdout
        for line in out.splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[0].startswith(".text") and fields[1].isdigit():
                total += int(fields[1])
    return total


def measure(build_dir):
    """[{part, files, source_lines, text_bytes}] for every part in PARTS."""
    rows = []
    for name, sources, objects in PARTS:
        files = _files(sources)
        built = sorted(set(f for p in objects for f in glob.glob(os.path.join(build_dir, p))))
        rows.append({"part": name, "files": len(files), "source_lines": source_lines(files),
                     "text_bytes": text_bytes(built) if built else None})
    return rows
