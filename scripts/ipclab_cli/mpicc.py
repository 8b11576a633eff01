"""scripts/ipclab mpicc: compiles and links an MPI program into a task image, as Open MPI's
mpicc does on Linux. The compilers, options and libraries are those of the project's own
user programs, read from <build>/mpicc.json, which CMake writes (cmake/MpiWrapper.cmake)."""
import json
import os
import shlex
import subprocess
import sys
import tempfile

import build
from errors import UserError

USAGE = "usage: scripts/ipclab mpicc [--showme] [-o OUT] SOURCE... [FLAGS]"
HELP = """Compiles and links an MPI C or C++ program into a task image for ipclab (default a.out),
as Open MPI's mpicc does on Linux. FLAGS (-O2, -g, -Wall, -I, -D, -L, -l, -c, -std=...) go to
the compiler. --showme prints the commands instead of running them. See docs/mpi.md."""
CXX_SUFFIXES = (".cc", ".cp", ".cxx", ".cpp", ".CPP", ".c++", ".C", ".ii")
COMPILE_ONLY = ("-c", "-S", "-E")
# Options whose value is the next word, so that word is not taken for an input file.
TAKES_VALUE = {"-o", "-I", "-D", "-U", "-L", "-l", "-include", "-imacros", "-isystem", "-idirafter", "-iquote",
               "-iprefix", "-x", "-MF", "-MT", "-MQ", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-T", "-u",
               "-e", "-z"}


def description(build_dir):
    """<build_dir>/mpicc.json, generating the build tree first if it has none."""
    path = os.path.join(build_dir, "mpicc.json")
    if not os.path.exists(path):
        build.configure(build_dir)
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        raise UserError("cannot read " + path + " (written by cmake/MpiWrapper.cmake): " + str(err))
    # An empty generator-expression list comes out as [""]; a directory may come twice.
    for key in ("include_directories", "definitions"):
        d[key] = [v for i, v in enumerate(d[key]) if v and v not in d[key][:i]]
    return d


class _Words:
    """The user's words, in order: options (with their values) and input files."""

    def __init__(self, argv):
        self.words = []      # (word, is_input)
        self.showme = False
        i = 0
        while i < len(argv):
            w = argv[i]
            if w in ("--showme", "-showme"):
                self.showme = True
            elif w in TAKES_VALUE:
                if i + 1 == len(argv):
                    raise UserError("mpicc: " + w + " needs a value (" + USAGE + ")")
                self.words += [(w, False), (argv[i + 1], False)]
                i += 1
            else:
                self.words.append((w, not w.startswith("-") or w == "-"))
            i += 1
        self.inputs = [w for w, is_input in self.words if is_input]
        self.compile_only = any(w in COMPILE_ONLY for w, is_input in self.words if not is_input)

    def options(self, without_output=False):
        """The options alone, optionally without -o and its value."""
        out, skip = [], False
        for w, is_input in self.words:
            if skip:
                skip = False
            elif without_output and w == "-o":
                skip = True
            elif without_output and w.startswith("-o") and w != "-o":
                pass
            elif not is_input:
                out.append(w)
        return out


def _is_cxx(path):
    return path.endswith(CXX_SUFFIXES)


def commands(d, argv, scratch, check=True):
    """The compiler commands for `argv`, as Open MPI's mpicc composes them: the wrapper's
    options, then the user's words in order, then (when linking) the libraries. C++ sources are
    compiled with the C++ compiler into objects in `scratch`; the link uses the C driver, as
    the project's user programs do (LINKER_LANGUAGE C). `check`: the inputs must exist."""
    words = _Words(argv)
    if check and not words.inputs:
        raise UserError("mpicc: no input files (" + USAGE + ")")
    for path in words.inputs if check else []:
        if path != "-" and not os.path.exists(path):
            raise UserError("mpicc: no such file: " + path)

    def front(lang):
        compiler, flags = (d["cxx_compiler"], d["cxx_flags"]) if lang == "cxx" else (d["c_compiler"], d["c_flags"])
        return ([compiler] + flags + [x for s in d["system_include_directories"] for x in ("-isystem", s)] +
                ["-I" + i for i in d["include_directories"]] + ["-D" + x for x in d["definitions"]])

    cxx = [p for p in words.inputs if _is_cxx(p)]
    if words.compile_only:
        # One command per language, with that language's inputs.
        return [front(lang) + [w for w, is_input in words.words if not is_input or _is_cxx(w) == (lang == "cxx")]
                for lang in ("c", "cxx") if any(_is_cxx(p) == (lang == "cxx") for p in words.inputs)]
    steps, objects = [], {}
    for n, source in enumerate(cxx):
        objects[source] = os.path.join(scratch, "%d-%s.o" % (n, os.path.splitext(os.path.basename(source))[0]))
        steps.append(front("cxx") + words.options(without_output=True) + ["-c", source, "-o", objects[source]])
    link = [objects.get(w, w) if is_input else w for w, is_input in words.words]
    steps.append([d["linker"]] + front("c")[1:] + link + d["link_flags"] + d["libraries"])
    return steps


def main(argv, build_dir, verbose=False):
    """Runs `scripts/ipclab mpicc ARGV`; returns the exit status."""
    if argv in (["-h"], ["--help"]):
        print(USAGE + "\n\n" + HELP)
        return 0
    d = description(build_dir)
    words = _Words(argv)
    if words.showme:
        for cmd in commands(d, argv, os.path.join(tempfile.gettempdir(), "ipclab-mpicc-XXXXXX"), check=False):
            print(shlex.join(cmd))
        return 0
    # Before anything is compiled: the libraries must be there and up to date.
    build.build_target(build_dir, d["build_target"], "building the MPI libraries", verbose)
    d = description(build_dir)  # the build may have generated the tree again
    with tempfile.TemporaryDirectory(prefix="ipclab-mpicc-") as scratch:
        for cmd in commands(d, argv, scratch):
            if verbose:
                print("ipclab mpicc: " + shlex.join(cmd), file=sys.stderr, flush=True)
            try:
                rc = subprocess.run(cmd).returncode
            except OSError as err:
                raise UserError("mpicc: cannot run " + cmd[0] + ": " + err.strerror)
            if rc != 0:
                print("ipclab mpicc: %s exited with status %d; nothing more was built" % (cmd[0], rc),
                      file=sys.stderr)
                return rc
    return 0
