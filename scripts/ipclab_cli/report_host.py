"""The host-context section of the report (issue 6, item 3; results/host.json from
`scripts/ipclab bench host`, docs/host-bench.md): Linux IPC, the bare system call and Open MPI
on the host in wall-clock ns, and what each policy's decision function costs there."""

SIZES = (8, 4096)


def _median(doc, **match):
    for r in doc.get("results", []):
        if all(r.get(k) == v for k, v in match.items()):
            return r["median"]
    return None


def _ns(v):
    return "-" if v is None else f"{v:,.0f}" if v >= 100 else f"{v:.2f}"


def section(doc):
    if not doc:
        return []
    ctx = doc.get("context", {})
    lines = ["## Host context (`scripts/ipclab bench host`)", "",
             "On the machine that ran `bench host` (Linux %s, %s repetitions): %s." % (
                 ctx.get("linux", "?"), ctx.get("repetitions", "?"), ctx.get("unit_note", "wall-clock ns")), "",
             "| round trip (ns) | " + " | ".join("%d B" % s for s in SIZES) + " |", "| --- |" + " ---: |" * len(SIZES)]
    transports = []
    for r in doc.get("results", []):
        if r.get("layer") in ("linux", "openmpi") and r["transport"] != "syscall" and r["transport"] not in transports:
            transports.append(r["transport"])
    for t in transports:
        lines.append("| %s | %s |" % (t, " | ".join(_ns(_median(doc, transport=t, bytes=s)) for s in SIZES)))
    lines += ["", "A bare system call (`getppid`): %s ns." % _ns(_median(doc, transport="syscall")), "",
              "| policy | comm_send (ns) | comm_nonblocking_send (ns) | ipc_send_tid (ns) |", "| --- | ---: | ---: | ---: |"]
    policies = []
    for r in doc.get("results", []):
        if r.get("layer") == "policy" and r.get("policy") and r["policy"] not in policies:
            policies.append(r["policy"])
    for p in policies:
        lines.append("| `%s` | %s |" % (p, " | ".join(_ns(_median(doc, layer="policy", policy=p, transport=op))
                                                     for op in ("comm_send", "comm_nonblocking_send", "ipc_send_tid"))))
    overhead = _median(doc, layer="policy", transport="overhead")
    lines += ["", "Each decision through `policy()` as the kernel calls it, compiled for the host; the benchmark "
              "loop alone costs %s ns." % _ns(overhead), ""]
    return lines
