"""Host-side fuzzing (issue 7): the libFuzzer targets of tests/fuzz, which drive the portable
kernel core as the unit tests build it for the host, compiled with clang-14 under
-fsanitize=fuzzer,address,undefined into <build>/fuzz and each run for a bounded time.

run() is the one code path: `scripts/ipclab fuzz --host` calls it, and the ctest entry
fuzz.host (tests/CMakeLists.txt) runs this file as a program:

  /usr/bin/python3 scripts/ipclab_cli/fuzz_host.py --build-dir build --seconds 20 [--json OUT]

It returns (and writes, with a path) a summary: per target its executions, coverage, corpus
and crash, and overall the number of targets, crashes and executions and the clang version.
A crash, an out-of-memory or a timeout of one input is a finding: its input is kept under
<build>/fuzz/artifacts/ and the reproducer command (`BINARY INPUT`) printed; the program then
exits with 1. The corpus grows in <build>/fuzz/corpus/<target>/, seeded from
tests/fuzz/corpus/<target>/."""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import build  # noqa: E402
import deps  # noqa: E402
import results  # noqa: E402
from errors import UserError  # noqa: E402
from paths import BUILD, ROOT  # noqa: E402

PACKAGES = ["clang-14", "libclang-rt-14-dev"]
COMPILERS = {"CC": "clang-14", "CXX": "clang++-14"}
SOURCE = os.path.join(ROOT, "tests", "fuzz")
# Every input ends within 10 s and 2 GiB, or it is a finding; the final statistics give the
# executions.
LIBFUZZER_OPTIONS = ["-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"]
# What the main build's host-kernel list (tests/unit/CMakeLists.txt) is made from: newer
# than the list means the main tree must be configured again before the list is used.
LIST_INPUTS = ["kernel/CMakeLists.txt", "kernel/policy", "tests/unit/CMakeLists.txt"]


def _step(cmd, what, env=None):
    """Runs a build step quietly; its output and a UserError if it fails."""
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        raise UserError(what + " failed (exit %d)" % p.returncode)


def clang_version():
    """The first line of clang++-14 --version; a UserError without it."""
    try:
        out = subprocess.run([COMPILERS["CXX"], "--version"], capture_output=True, text=True).stdout
    except OSError:
        raise UserError(COMPILERS["CXX"] + " not found: install clang-14 and libclang-rt-14-dev (apt-get)")
    return out.splitlines()[0].strip() if out else "unknown"


def _host_kernel_list(build_dir):
    """The main build's list of host-kernel sources, configuring the main tree when it has none
    or an older one than what it is made from."""
    listing = os.path.join(build_dir, "tests", "unit", "host_kernel.cmake")
    newest = max(os.path.getmtime(os.path.join(ROOT, p)) for p in LIST_INPUTS)
    if not os.path.exists(listing) or os.path.getmtime(listing) < newest:
        build.configure(build_dir)
        if not os.path.exists(listing):
            raise UserError("no " + listing + " after configuring " + build_dir + " (IPCLAB_TESTS=OFF?)")
        os.utime(listing)  # checked now: CMake rewrites it only when the list changed
    return listing


def build_targets(build_dir):
    """Configures (with clang) and builds <build_dir>/fuzz; the targets' names."""
    fuzz_dir = os.path.join(build_dir, "fuzz")
    listing = _host_kernel_list(build_dir)
    env = dict(os.environ, **COMPILERS)
    _step(["cmake", "-S", SOURCE, "-B", fuzz_dir, "-DIPCLAB_HOST_KERNEL=" + listing, "-DCMAKE_BUILD_TYPE="],
          "configuring the fuzz targets", env)
    _step(["cmake", "--build", fuzz_dir, "-j", str(os.cpu_count() or 2)], "building the fuzz targets", env)
    with open(os.path.join(fuzz_dir, "targets.txt"), encoding="utf-8") as f:
        return f.read().strip().split(";")


def _last(pattern, text, default=None):
    found = re.findall(pattern, text)
    return int(found[-1]) if found else default


# What a finding says first, most specific first: a target's invariant, a kernel panic (both
# abort), a sanitizer's report, libFuzzer's own (deadly signal, timeout, out-of-memory).
FINDINGS = [r"fuzz invariant violated: .*", r"kernel panic: .*", r"\S+: runtime error: .*",
            r"ERROR: AddressSanitizer: [\w-]+", r"ERROR: LeakSanitizer: .*", r"ERROR: libFuzzer: .*"]


def finding(log):
    """The first line that says what went wrong, or None."""
    for pattern in FINDINGS:
        found = re.search(pattern, log)
        if found:
            return found.group(0).strip()
    return None


def summary(name, log, returncode, seconds, corpus_dir, binary):
    """One target's figures from libFuzzer's log (its status lines and final statistics)."""
    crash = re.findall(r"Test unit written to (\S+)", log)
    row = {"name": name, "seconds": round(seconds, 1),
           "runs": _last(r"stat::number_of_executed_units:\s*(\d+)", log, _last(r"#(\d+)\s+DONE", log, 0)),
           "exec_per_s": _last(r"stat::average_exec_per_sec:\s*(\d+)", log, 0),
           "coverage_edges": _last(r"cov: (\d+)", log, 0), "features": _last(r"ft: (\d+)", log, 0),
           "new_units": _last(r"stat::new_units_added:\s*(\d+)", log, 0),
           "peak_rss_mb": _last(r"stat::peak_rss_mb:\s*(\d+)", log, 0),
           "corpus_files": len(os.listdir(corpus_dir)) if os.path.isdir(corpus_dir) else 0,
           "crashes": 1 if returncode != 0 else 0, "crash_file": None, "crash_kind": None, "reproducer": None,
           "exit_code": returncode}
    if returncode != 0:
        row["crash_file"] = crash[-1] if crash else None
        row["crash_kind"] = finding(log) or "exit %d" % returncode
        row["reproducer"] = binary + " " + (row["crash_file"] or "(no input kept: see the log)")
    return row


def run_target(fuzz_dir, name, seconds):
    """Runs one target for `seconds` on its corpus; its summary row (the log is kept in
    <fuzz_dir>/logs/NAME.log)."""
    binary = os.path.join(fuzz_dir, name)
    corpus = os.path.join(fuzz_dir, "corpus", name)
    artifacts = os.path.join(fuzz_dir, "artifacts")
    logs = os.path.join(fuzz_dir, "logs")
    for d in (corpus, artifacts, logs):
        os.makedirs(d, exist_ok=True)
    cmd = [binary, corpus]
    seeds = os.path.join(SOURCE, "corpus", name)
    if os.path.isdir(seeds):
        cmd.append(seeds)  # read only: new inputs go into the first folder
    cmd += ["-max_total_time=%d" % seconds, "-artifact_prefix=" + os.path.join(artifacts, name + "-")]
    cmd += LIBFUZZER_OPTIONS
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=seconds + 120)
        log, rc = p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        log, rc = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace"), -9
        log += "\nfuzz_host: still running %d s past -max_total_time, stopped\n" % 120
    with open(os.path.join(logs, name + ".log"), "w", encoding="utf-8") as f:
        f.write(" ".join(cmd) + "\n" + log)
    return summary(name, log, rc, time.monotonic() - start, corpus, binary)


def run(build_dir, seconds_per_target, out_json_path=None):
    """Builds the fuzz targets into <build_dir>/fuzz and runs each for `seconds_per_target`
    seconds (as many at once as there are CPUs); the summary, also written as JSON to
    `out_json_path` if given. Raises UserError if clang or the build is missing or broken;
    findings are in the summary (overall.crashes), with their reproducers printed."""
    if seconds_per_target < 1:
        raise UserError("--seconds must be at least 1")
    build_dir = os.path.abspath(build_dir)
    start = time.monotonic()
    deps.ensure(PACKAGES)
    version = clang_version()
    names = build_targets(build_dir)
    built = time.monotonic()
    fuzz_dir = os.path.join(build_dir, "fuzz")
    jobs = max(1, min(len(names), os.cpu_count() or 1))
    print("ipclab: fuzzing %s for %d s each, %d at a time" % (", ".join(names), seconds_per_target, jobs),
          file=sys.stderr, flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(lambda n: run_target(fuzz_dir, n, seconds_per_target), names))
    doc = {"context": {"commit": results.commit(), "clang": version, "seconds_per_target": seconds_per_target,
                       "jobs": jobs, "libfuzzer_options": LIBFUZZER_OPTIONS,
                       "sanitizers": "-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all",
                       "build_seconds": round(built - start, 1), "run_seconds": round(time.monotonic() - built, 1)},
           "targets": rows,
           "overall": {"targets": len(rows), "crashes": sum(r["crashes"] for r in rows),
                       "total_runs": sum(r["runs"] for r in rows), "clang_version": version}}
    for r in rows:
        print("  %-20s %9d runs %7d/s  cov %5d  corpus %5d  %s" %
              (r["name"], r["runs"], r["exec_per_s"], r["coverage_edges"], r["corpus_files"],
               "FINDING" if r["crashes"] else "ok"), file=sys.stderr)
    for r in rows:
        if r["crashes"]:
            print("ipclab: %s: %s\n  reproduce with: %s\n  log: %s" %
                  (r["name"], r["crash_kind"], r["reproducer"], os.path.join(fuzz_dir, "logs", r["name"] + ".log")),
                  file=sys.stderr)
    if out_json_path:
        with open(out_json_path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    return doc


def main(argv=None):
    p = argparse.ArgumentParser(description="Build the libFuzzer targets of tests/fuzz with clang and run each "
                                            "for a bounded time; exit 1 on a finding.")
    p.add_argument("--build-dir", default=BUILD, help="the main build tree; the targets go to BUILD/fuzz")
    p.add_argument("--seconds", type=int, default=20, help="seconds per target (default 20)")
    p.add_argument("--json", metavar="PATH", help="also write the summary there")
    args = p.parse_args(argv)
    try:
        doc = run(args.build_dir, args.seconds, args.json)
    except UserError as e:
        print("ipclab: error: " + str(e), file=sys.stderr)
        return 2
    return 1 if doc["overall"]["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
