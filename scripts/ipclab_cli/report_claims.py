"""The report's table of claims (issue 6, "The report"): every claim of the study and every
testable claim of the other seeds, the experiment and figure that test it, and the verdict its
section judged from the data — gathered here in one place, in the order of the study's slides
and then the seeds. A claim whose experiment has no results yet is listed as not measured."""
import attack_claims
import attacks
import report_bulk
import report_codesize
import report_latency
import report_policies
import report_robustness

NOT_RUN = "not measured"


def _scaling(doc):
    """(verdict, evidence) of seeds/003's "send by handle is O(1), by thread id O(log n)"."""
    rows = [r for r in (doc or {}).get("results", []) if r.get("run", "").startswith("tasks-")]
    cap = {r["tasks"]: r["median"] for r in rows if r.get("op") == "call_by_capability"}
    tid = {r["tasks"]: r["median"] for r in rows if r.get("op") == "call_by_thread_id"}
    if len(cap) < 2 or len(tid) < 2:
        return NOT_RUN, "the tasks-N runs are missing."
    n = sorted(set(cap) & set(tid))
    flat = (max(cap.values()) - min(cap.values())) / min(cap.values()) <= 0.05
    grows = all(tid[a] <= tid[b] for a, b in zip(n, n[1:])) and tid[n[-1]] > tid[n[0]]
    per_doubling = (tid[n[-1]] - tid[n[0]]) / max(1, len(n) - 1)
    verdict = "reproduced" if flat and grows else "partly" if flat or grows else "refuted"
    return verdict, ("from %d to %d tasks a call by capability stays at %d-%d guest instructions, one by thread id "
                     "grows from %d to %d, about %.0f per doubling of the tasks (a tree search: O(log n))." % (
                         n[0], n[-1], min(cap.values()), max(cap.values()), tid[n[0]], tid[n[-1]], per_doubling))


def rows(docs, sizes):
    """[(claim, source, experiment, figure, verdict, evidence)] from the results documents
    (`docs`: experiment name -> document or None) and the code sizes."""
    out = []
    pingpong, baseline = docs.get("pingpong"), docs.get("baseline")
    if pingpong:
        verdict, evidence = report_latency.claim(report_latency.series(pingpong, baseline))
    else:
        verdict, evidence = NOT_RUN, "no ping-pong results."
    out.append(("IPC is much faster (!)", "study 000, 'Comparison'", "pingpong, baseline", "latency.png",
                verdict, evidence))
    verdict, evidence = report_codesize.claim(sizes)
    out.append(("MPI has got a huge amount of code", "study 000, 'Feasibility'", "code size", "code_size.png",
                verdict, evidence))
    attack_doc = docs.get("attacks")
    if attack_doc:
        attacks.summarise(attack_doc)
        for c in attack_claims.judge(attack_doc):
            out.append((c["claim"], "study 000, 'Feasibility'", c["experiment"], c["figure"], c["verdict"],
                        c["evidence"]))
    else:
        out.append(("the study's security claims (capabilities, DoS, starvation, timer overhead)",
                    "study 000, 'Feasibility'", "attacks", "attacks_matrix.png", NOT_RUN, "no attack results."))
    # Sections that judge several claims of the seeds: (experiment, their judge, what stands
    # in for them without results).
    for name, judge, missing in (
            ("bulk", report_bulk.claims,
             ("synchronous IPC needs one copy, asynchronous two; shared memory avoids the copy", "seeds/002, 004",
              "bulk_transfer.png")),
            ("policy_cost", report_policies.claims,
             ("clans & chiefs turn one IPC into three; a reference monitor costs only on first use", "seeds/004",
              "policy_cost.png"))):
        if docs.get(name):
            out += [(claim, source, name, figure, verdict, evidence)
                    for claim, source, figure, verdict, evidence in judge(docs[name])]
        else:
            claim, source, figure = missing
            out.append((claim, source, name, figure, NOT_RUN, "no %s results." % name))
    verdict, evidence = _scaling(docs.get("ipc_scaling"))
    out.append(("A send by handle is O(1); by thread id O(log n)", "seeds/003", "ipc_scaling", "ipc_scaling.png",
                verdict, evidence))
    verdict, evidence = report_robustness.claim(docs.get("robustness"))
    out.append(("The kernel survives hostile system calls, killed tasks and faults", "issue 7 (ours, not the study's)",
                "fuzz", "-", verdict, evidence))
    return out


def section(docs, sizes):
    lines = ["## The claims", "",
             "Every claim of the study (seeds/000) and the testable claims of the other seeds, with the experiment "
             "and figure that test them; each verdict is computed from the results below (its section says how).",
             "", "| claim | source | experiment | figure | verdict | evidence |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += ["| %s | %s | %s | %s | **%s** | %s |" % r for r in rows(docs, sizes)]
    return lines + [""]
