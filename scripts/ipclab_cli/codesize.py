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
     ["kernel/ipc/*", "kernel/syscall/ipc.cpp", "kernel/syscall/ipc_tid.cpp", "abi/message.hpp", "abi/utcb.hpp",
      "abi/capability.hpp"],
     ["kernel/CMakeFiles/ipclab_kernel.dir/ipc/*.o", "kernel/CMakeFiles/ipclab_kernel.dir/syscall/ipc.cpp.o",
      "kernel/CMakeFiles/ipclab_kernel.dir/syscall/ipc_tid.cpp.o"]),
    ("security policies (kernel)",
     ["kernel/policy/*"],
     ["kernel/CMakeFiles/ipclab_kernel.dir/policy/*.o"]),
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


# Open MPI as Debian installs it (libopenmpi3, Open MPI 4.1): the three libraries an MPI
# program links, measured here (.text); Open MPI's sources are not installed.
OPENMPI_LIBRARIES = ["/usr/lib/x86_64-linux-gnu/libmpi.so.40", "/usr/lib/x86_64-linux-gnu/libopen-pal.so.40",
                     "/usr/lib/x86_64-linux-gnu/libopen-rte.so.40"]

# Source lines of the systems the report compares with, and where each figure comes from. The
# published seL4 figure is the verified ARM kernel's; the others were counted with cloc (C and
# C/C++ headers, "code" lines) on the named snapshot of the project's repository, once, for
# this table (the snapshots are not part of ipclab).
REFERENCES = [
    {"system": "seL4 (verified ARMv6 kernel, 2009)", "source_lines": 8700 + 600,
     "source": "Klein et al., 'seL4: Formal Verification of an OS Kernel', SOSP 2009: "
               "8,700 lines of C and 600 of assembler"},
    {"system": "seL4 (all architectures, github seL4/seL4 1326364bc, 2026-08-06)", "source_lines": 37407 + 23290 + 2038,
     "source": "cloc: C 37,407, headers 23,290, assembler 2,038"},
    {"system": "Open MPI (github open-mpi/ompi main 8efebee745, 2026-08-21; no PRRTE, PMIx, hwloc, libevent)",
     "source_lines": 313089 + 68911, "source": "cloc: C 313,089, headers 68,911 (Fortran, Python, Perl not counted)"},
    {"system": "MPICH (github pmodels/mpich main 6a79bf6575, 2026-08-20; no submodules)",
     "source_lines": 280592 + 143190, "source": "cloc: C 280,592, headers 143,190 (C++ 6,334, Fortran not counted)"},
]


def installed_openmpi():
    """{part, files, source_lines: None, text_bytes} of Open MPI's libraries, or None if not installed."""
    found = [os.path.realpath(p) for p in OPENMPI_LIBRARIES if os.path.exists(p)]
    if len(found) != len(OPENMPI_LIBRARIES):
        return None
    return {"part": "Open MPI 4.1 as installed (libmpi, libopen-pal, libopen-rte)", "files": len(found),
            "source_lines": None, "text_bytes": text_bytes(found)}


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
        # Only objects of sources that still exist: a build tree keeps those of deleted files.
        names = {os.path.basename(f) for f in files}
        built = [o for o in built if not o.endswith(".o") or os.path.basename(o)[:-2] in names]
        rows.append({"part": name, "files": len(files), "source_lines": source_lines(files),
                     "text_bytes": text_bytes(built) if built else None})
    openmpi = installed_openmpi()
    if openmpi:
        rows.append(openmpi)
    return rows
