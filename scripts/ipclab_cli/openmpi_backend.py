"""scripts/ipclab run EXPERIMENT --backend openmpi [--hostfile FILE]: an experiment's MPI runs
under Open MPI on Linux instead of ipclab in QEMU. Each program is built from its sources with
Open MPI's mpicc and started with mpirun; the JSON lines it prints are taken as runner.py takes
them from QEMU and written to results/<experiment>-openmpi.json in the same format, converted
from TSC ticks to wall-clock ns (bench/host/tsc_rate.c). docs/experiments.md, "Open MPI
backend", has the format and what is skipped and why."""
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import time

import experiments
import results
import runner
from errors import UserError
from paths import EXPERIMENTS, ROOT, log_dir

TIME_FIELDS = ("min", "p10", "median", "p90", "max", "mean", "stddev", "overhead", "per_byte")
POLICY_NOTE = ("security policies are the ipclab kernel's: under Open MPI none applies (any rank may send to any "
               "other, sends are buffered as Open MPI buffers them); the runs' policies, rights tables and send "
               "timeouts are ignored")
UNIT_NOTE = ("wall-clock ns on Linux: the workloads' rdtsc ticks (TSC ticks, not guest instructions) divided by "
             "the TSC rate measured against CLOCK_MONOTONIC_RAW on the first host (rank 0's) before the runs (tsc); "
             "rows keep that rate as ticks_per_ns")
MAX_RANKS_PER_CORE = 8  # without a hostfile (_plan)
_USER_PROGRAM = re.compile(r"ipclab_user_program\(\s*(\S+)\s+SOURCES\s+([^)]*?)(?:\s+LIBRARIES\s+([^)]*))?\)")
_FOREACH = re.compile(r"foreach\((\w+)\s+([^)]*)\)(.*?)endforeach\(\)", re.S)


def tools():
    """Open MPI's mpicc and mpirun, or a UserError saying how to install them."""
    found = [shutil.which(t) for t in ("mpicc", "mpirun")]
    if not all(found):
        raise UserError("--backend openmpi needs Open MPI's mpicc and mpirun, not found on PATH: install Debian's "
                        "openmpi-bin and libopenmpi-dev (apt-get install openmpi-bin libopenmpi-dev)")
    version = subprocess.run([found[1], "--version"], capture_output=True, text=True).stdout.splitlines()
    return found[0], found[1], (version[0] if version else "unknown")


def mpirun_env():
    """The environment for mpirun: Open MPI refuses root unless told twice that it is meant."""
    env = dict(os.environ)
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return env


def read_hostfile(path):
    """[(host, slots or None)] of an Open MPI hostfile, or a UserError."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [l.split("#")[0].split() for l in f]
    except OSError as err:
        raise UserError("cannot read the hostfile " + path + ": " + err.strerror)
    hosts = []
    for words in filter(None, lines):
        slots = next((w.split("=", 1)[1] for w in words[1:] if w.startswith(("slots=", "slots:"))), None)
        hosts.append((words[0], int(slots) if slots and slots.isdigit() else None))
    if not hosts:
        raise UserError("the hostfile " + path + " names no host")
    return hosts


def mpirun_command(mpirun, ranks, hostfile=None, hosts=None, export=True):
    """mpirun -np RANKS [--hostfile FILE] [--oversubscribe], passing the IPCLAB_* variables on to
    every host (`export`): --oversubscribe when the ranks exceed this machine's cores (no
    hostfile) or the slots the hostfile gives every host."""
    cmd = [mpirun, "-np", str(ranks)]
    if hostfile:
        cmd += ["--hostfile", hostfile]
        slots = [s for _, s in hosts or []]
        over = bool(slots) and None not in slots and ranks > sum(slots)
    else:
        over = ranks > (os.cpu_count() or 1)
    if over:  # binding more ranks than cores to cores fails; unbound they share them
        cmd += ["--oversubscribe", "--bind-to", "none"]
    for var in ("IPCLAB_COMMIT", "IPCLAB_POLICY", "IPCLAB_UNIT", "IPCLAB_EXPERIMENT") if export else ():
        cmd += ["-x", var]
    return cmd


def programs():
    """{program: (sources, libraries)} of every ipclab_user_program() in experiments/**/CMakeLists.txt,
    sources as paths (a foreach loop's variable substituted with each of its values)."""
    found = {}
    for path in glob.glob(os.path.join(EXPERIMENTS, "**", "CMakeLists.txt"), recursive=True):
        with open(path, encoding="utf-8") as f:
            text = re.sub(r"#[^\n]*", "", f.read())
        text = _FOREACH.sub(lambda m: "\n".join(m.group(3).replace("${" + m.group(1) + "}", v)
                                                for v in m.group(2).split()), text)
        for name, sources, libraries in _USER_PROGRAM.findall(text):
            found[name] = ([os.path.join(os.path.dirname(path), s) for s in sources.split()], (libraries or "").split())
    return found


def build_program(mpicc, out_dir, program, known):
    """(binary, None) for `program` built with Open MPI's compilers, or (None, why not)."""
    if program.startswith("/") or program not in known:
        return None, "program '" + program + "' is not an ipclab_user_program() of experiments/**/CMakeLists.txt"
    sources, libraries = known[program]
    if "ipclab_runtime" in libraries:
        return None, "'" + program + "' uses ipclab's own system calls (it links ipclab_runtime)"
    cc = os.path.join(os.path.dirname(mpicc), "mpicxx") if any(s.endswith(".cpp") for s in sources) else mpicc
    binary = os.path.join(out_dir, program)
    p = subprocess.run([cc, "-O2", "-I", ROOT, "-o", binary] + sources, capture_output=True, text=True)
    if p.returncode != 0:
        lines = p.stderr.splitlines() or ["exit %d" % p.returncode]
        errors = [l for l in lines if re.search(r": error: |undefined reference", l)] or lines
        return None, "'" + program + "' does not build with Open MPI's " + os.path.basename(cc) + ": " + errors[0]
    return binary, None


def _json_lines(text):
    """The JSON lines the ranks printed, taken as runner.py takes them from QEMU's console."""
    out = runner.Outcome()
    for line in text.splitlines():
        runner._take(out, line, None)
    return out.output


def _launch(cmd, env, timeout, log):
    """(exit status or None on timeout, stdout, seconds); stdout and stderr also go to `log`."""
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)  # mpirun and the ranks it started: our own session only
            out, err = proc.communicate()
            proc.returncode = None
        f.write(out + err)
    return proc.returncode, out, time.monotonic() - start


def measure_tsc(mpicc, mpirun, out_dir, hostfile, hosts, env):
    """The TSC line of each host (bench/host/tsc_rate.c): one rank per host, in the hostfile's
    order, so rank 0 runs where the workloads' rank 0 runs."""
    binary = os.path.join(out_dir, "tsc_rate")
    p = subprocess.run([mpicc, "-O2", "-o", binary, os.path.join(ROOT, "bench", "host", "tsc_rate.c")],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise UserError("cannot build bench/host/tsc_rate.c with mpicc: " + p.stderr.strip())
    cmd = mpirun_command(mpirun, len(hosts), hostfile, hosts) + ["--map-by", "node", binary]
    status, out, _ = _launch(cmd, env, 60, os.path.join(out_dir, "tsc_rate.log"))
    lines = sorted((l for l in _json_lines(out) if l.get("type") == "tsc"), key=lambda l: l["rank"])
    if status != 0 or not lines or lines[0]["rank"] != 0:
        raise UserError("measuring the TSC rate under mpirun failed (log: " + out_dir + "/tsc_rate.log)")
    return lines


def to_ns(row, ticks_per_ns):
    """A workload's result row in TSC ticks, converted to wall-clock ns."""
    if row.get("unit") != "tsc_ticks":
        return row
    for key in TIME_FIELDS:
        if isinstance(row.get(key), (int, float)):
            row[key] = round(row[key] / ticks_per_ns, 5 if key == "per_byte" else 1)
    row.update(unit="ns", ticks_per_ns=ticks_per_ns)
    return row


def _plan(e, known, mpicc, out_dir, hostfile):
    """[(label, run, binary)] to run and [(label, why)] skipped. Copies of one run made for
    several policies (LABEL.POLICY), and runs that differ only in their policy, are one run
    here, labelled as the first: no policy applies. On this machine alone, runs of more than
    MAX_RANKS_PER_CORE ranks per core are skipped."""
    todo, skipped, seen, seen_mpi = [], [], set(), set()
    for r in e["runs"]:
        label = r["label"]
        if "policies" in r or label.endswith("." + r.get("policy", "")):
            label = label[:-len(r["policy"]) - 1]
        same = json.dumps(r.get("mpi"), sort_keys=True) if "mpi" in r and not r.get("tasks") else None
        if label in seen or (same is not None and same in seen_mpi):
            continue
        seen.add(label)
        if same is not None:
            seen_mpi.add(same)
        if "mpi" not in r:
            skipped.append((label, "no 'mpi' key: a native run, which needs the ipclab kernel"))
        elif r.get("tasks"):
            skipped.append((label, "it also has native tasks, which need the ipclab kernel"))
        elif not hostfile and r["mpi"]["ranks"] > MAX_RANKS_PER_CORE * (os.cpu_count() or 1):
            skipped.append((label, "%d ranks on %d cores: Open MPI's ranks poll while they wait, so they would take "
                            "this machine for minutes; give hosts with enough slots (--hostfile)"
                            % (r["mpi"]["ranks"], os.cpu_count() or 1)))
        else:
            binary, why = build_program(mpicc, out_dir, r["mpi"]["program"], known)
            (todo.append((label, r, binary)) if binary else skipped.append((label, why)))
    return todo, skipped


def run_experiment(e, build_dir, timeout=None, hostfile=None):
    """Runs the MPI runs of experiment `e` (loaded) under Open MPI; returns (document, problems)."""
    mpicc, mpirun, version = tools()
    hosts = read_hostfile(hostfile) if hostfile else [(socket.gethostname(), os.cpu_count())]
    out_dir = os.path.join(build_dir, "openmpi-backend")
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(log_dir(build_dir), exist_ok=True)
    context = {"commit": results.commit(), "backend": "openmpi", "openmpi": version, "hostfile": hostfile,
               "hosts": [h for h, _ in hosts], "unit": "ns", "unit_note": UNIT_NOTE, "policy": "n/a",
               "policy_note": POLICY_NOTE}
    env = dict(mpirun_env(), IPCLAB_COMMIT=context["commit"], IPCLAB_POLICY="n/a", IPCLAB_UNIT="tsc_ticks",
               IPCLAB_EXPERIMENT=e["name"])
    doc = {"experiment": e["name"], "description": e["description"], "claim": e.get("claim", ""),
           "context": context, "runs": [], "skipped": [], "results": []}
    prefix = "[" + e["name"] + "/openmpi]"
    print(prefix + " Open MPI on Linux (" + version + ", hosts " + ", ".join(context["hosts"]) + "): " + POLICY_NOTE,
          flush=True)
    todo, skipped = _plan(e, programs(), mpicc, out_dir, hostfile)
    for label, why in skipped:
        print("%s run '%s' skipped: %s" % (prefix, label, why), flush=True)
        doc["skipped"].append({"label": label, "why": why})
    if not todo:
        return doc, []
    tsc = measure_tsc(mpicc, mpirun, out_dir, hostfile, hosts, env)
    context["tsc"], ticks_per_ns = tsc, tsc[0]["ticks_per_ns"]
    print("%s TSC: %.6f ticks per ns on %s (rank 0's host)" % (prefix, ticks_per_ns, tsc[0]["host"]), flush=True)
    problems = []
    for label, r, binary in todo:
        where = "[" + e["name"] + "/" + label + "]"
        cmd = mpirun_command(mpirun, r["mpi"]["ranks"], hostfile, hosts) + [binary] + r["mpi"].get("args", [])
        limit = timeout or e.get("timeout_seconds", 300)
        shown = [w for i, w in enumerate(cmd) if "-x" not in (w, cmd[i - 1])]  # the -x pairs are always the same
        print(where + " " + " ".join(shown) + " (timeout " + str(limit) + " s)", flush=True)
        log = os.path.join(log_dir(build_dir), e["name"] + "-openmpi-" + label + ".log")
        status, out, seconds = _launch(cmd, env, limit, log)
        ended = "timeout" if status is None else "ok" if status == 0 else "failed"
        lines = _json_lines(out)
        rows = [to_ns(dict(l, experiment=e["name"], run=label, layer=r["layer"]), ticks_per_ns)
                for l in lines if l.get("type") == "result"]
        for row in rows:
            print("%s %s %6s bytes: median %s %s (min %s, max %s)%s" % (
                where, row.get("transport", ""), row.get("bytes"), row.get("median"), row.get("unit"), row.get("min"),
                row.get("max"), "" if row.get("verified", True) else "  PAYLOAD MISMATCH"), flush=True)
            if not row.get("verified", True):
                problems.append(where + " payload mismatch at " + str(row.get("bytes")) + " bytes")
        print("%s %s in %.1f s%s" % (where, ended, seconds, "" if status in (0, None) else " (exit %d)" % status),
              flush=True)
        expected = r.get("expect", "ok")
        if ended != "ok" and expected == "ok":
            problems.append(where + " ended '" + ended + "' under Open MPI (log: " + os.path.relpath(log) + ")")
        doc["results"] += rows
        doc["runs"].append({"label": label, "layer": r["layer"], "policy": "n/a", "status": ended,
                            "exit_code": status, "expected_on_ipclab": expected, "seconds": round(seconds, 2),
                            "ranks": r["mpi"]["ranks"], "program": r["mpi"]["program"],
                            "args": r["mpi"].get("args", []), "log": os.path.relpath(log, ROOT),
                            "output": [l for l in lines if l.get("type") != "result"]})
    return doc, problems


def run(names, build_dir, timeout=None, hostfile=None, policy=None):
    """scripts/ipclab run NAMES --backend openmpi: runs and writes each; returns the problems."""
    if policy is not None:
        raise UserError("--policy does not apply with --backend openmpi: " + POLICY_NOTE)
    if hostfile is not None:
        hostfile = os.path.abspath(hostfile)
        read_hostfile(hostfile)  # a missing or empty hostfile is reported before anything runs
    chosen = [experiments.find(n) for n in names]
    tools()
    problems = []
    for e in chosen:
        doc, found = run_experiment(e, build_dir, timeout, hostfile)
        if doc["runs"]:
            results.write(doc, name=e["name"] + "-openmpi")
        else:
            problems.append("[" + e["name"] + "/openmpi] none of its runs can run under Open MPI; nothing written")
        problems += found
    return problems
