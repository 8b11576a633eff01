"""The report's robustness section and its row in the table of claims (issue 7), from
results/robustness.json: the syscall fuzzer's runs (scripts/ipclab fuzz), its documented long
runs, the fault-injection runs and the host's libFuzzer targets (docs/robustness.md)."""

NOT_RUN = "not measured"


def _fuzz_rows(part):
    """Markdown rows per policy of one syscall-fuzzing part."""
    by_policy = {}
    for r in part.get("runs", []):
        by_policy.setdefault(r["policy"], []).append(r)
    rows = []
    for policy, runs in by_policy.items():
        calls = sum(r["calls_done"] for r in runs)
        ok = sum(r["statuses"].get("ok", 0) + r["statuses"].get("linux_ok", 0) for r in runs)
        instructions = sum(r["instructions"] or 0 for r in runs)
        rows.append("| %s | %s | {:,} | %d | %d | %d | %d | %.0f%% | {:,} |".format(calls, instructions // max(1, calls)) % (
            policy, ", ".join(str(r["seed"]) for r in runs),
            sum(1 for r in runs if r["panic"] or r["killed_tasks"]), sum(1 for r in runs if r["hang"]),
            sum(1 for r in runs if r["leaked_object_bytes"] or r["leaked_frames"] or not r["memory_checked"]),
            sum(r["violations"] for r in runs), 100.0 * ok / max(1, calls)))
    return rows


def _fuzz_table(part, title):
    return [title, "", "| policy | seeds | calls | crashes | hangs | leaks | violations | calls that succeeded | "
            "guest instructions per call |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"] + \
        _fuzz_rows(part) + [""]


def claim(doc):
    """(verdict, evidence) of "the kernel survives hostile system calls, killed tasks and faults"."""
    if not doc or "syscall_fuzz" not in doc:
        return NOT_RUN, "no robustness results (scripts/ipclab fuzz)."
    parts = [doc[p]["totals"] for p in ("syscall_fuzz", "syscall_fuzz_long") if p in doc]
    calls = sum(t["calls"] for t in parts)
    bad = sum(t["crashes"] + t["hangs"] + t["leaks"] + t["violations"] for t in parts)
    faults = doc.get("fault_injection", {}).get("totals")
    host = doc.get("host_fuzz", {}).get("overall")
    ok = not bad and (not faults or faults["passed"] == faults["runs"]) and (not host or not host["crashes"])
    evidence = "%s system calls fuzzed under %d policies: %d crashes, hangs, leaks or violations" % (
        "{:,}".format(calls), len({p for t in parts for p in t["policies"]}), bad)
    if faults:
        evidence += "; %d of %d fault-injection runs freed everything and failed the partners as documented" % (
            faults["passed"], faults["runs"])
    if host:
        evidence += "; %d libFuzzer targets, %s executions, %d crashes" % (
            host["targets"], "{:,}".format(host["total_runs"]), host["crashes"])
    return ("holds" if ok else "fails"), evidence + "."


def section(doc):
    lines = ["## Robustness", "",
             "The syscall fuzzer (experiments/fuzz, `scripts/ipclab fuzz`) issues random system calls with hostile "
             "arguments from a seed while an oracle task listens on every channel it might reach; a run passes "
             "with no kernel panic, no hang, no task killed, zero policy violations and kernel memory back to its "
             "starting figure (docs/robustness.md). A failure replays exactly: `scripts/ipclab fuzz --seed S "
             "--calls N --policy P`.", ""]
    lines += _fuzz_table(doc["syscall_fuzz"], "Default runs:")
    if "syscall_fuzz_long" in doc:
        lines += _fuzz_table(doc["syscall_fuzz_long"], "Long runs (documented, not part of `reproduce`):")
    faults = doc.get("fault_injection")
    if faults:
        lines += ["Fault injection (docs/fault-injection.md): tasks killed where the run description says; the "
                  "test asserts what each partner sees.", "",
                  "| run | policy | killed | run ended | memory back |", "| --- | --- | --- | --- | --- |"]
        for r in faults["runs"]:
            killed = ", ".join("%s at %s (#%s, %s)" % (k["task"], k["point"], k["nth"], k["state"]) for k in r["kills"])
            lines.append("| %s | %s | %s | %s | %s |" % (
                r["label"], r["policy"], killed or "none (no kill)", r["status"],
                "yes" if not (r["leaked_object_bytes"] or r["leaked_frames"]) else "**no**"))
        lines.append("")
    host = doc.get("host_fuzz")
    if host:
        lines += ["Host side (tests/fuzz, libFuzzer with ASan and UBSan, %s):" % host["overall"].get("clang_version", "clang"),
                  "", "| target | seconds | executions | coverage (edges) | crashes |", "| --- | --- | --- | --- | --- |"]
        lines += ["| %s | %s | {:,} | %s | %d |".format(t["runs"]) % (t["name"], t["seconds"], t.get("coverage_edges"),
                                                                    t["crashes"]) for t in host["targets"]]
        lines.append("")
    return lines
