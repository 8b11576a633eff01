"""The attack section of the report (issue 5, docs/attacks.md): the outcome matrix, the
mismatches, the study's claims judged on the data, the plots and a row per run. Outcomes are
judged again from the runs' recorded lines, so the report follows the judging code."""
import os

import attack_claims
import attacks
import plot_attacks
import timer_overhead
from paths import RESULTS

SHORT = {"succeeded": "**succeeded**", "stopped": "stopped", "n/a": "-"}


def _number(v, fmt="{:,}"):
    return "-" if v is None else fmt.format(v)


def _yes(v):
    return "-" if v is None else "yes" if v else "**no**"


def matrix_lines(doc):
    """The matrix as a table: a row per policy, a column per attack, cells 'native / MPI'."""
    matrix = doc["matrix"]
    if not matrix:
        return ["No attack runs in the results.", ""]
    wrong = {(o["attack"], o["policy"], o["layer"]) for o in doc["outcomes"] if o["mismatch"]}
    attacks_ = list(matrix)
    lines = ["| policy | " + " | ".join("`%s`" % a for a in attacks_) + " |",
             "| --- |" + " --- |" * len(attacks_)]
    for policy in matrix[attacks_[0]]:
        cells = []
        for a in attacks_:
            cells.append(" / ".join(SHORT[matrix[a][policy][layer]] + (" (!)" if (a, policy, layer) in wrong else "")
                                    for layer in ("native", "mpi")))
        lines.append("| `%s` | %s |" % (policy, " | ".join(cells)))
    return lines + ["", "Each cell: native layer / MPI layer; `-`: not run; (!): not the outcome the run expected."]


def _figure(written, name, text):
    return ["![%s](%s)" % (text, name), ""] if written else ["(%s: no data in the results)" % text, ""]


def claim_lines(doc):
    lines = ["| claim of the study | experiment | figure | verdict | evidence |", "| --- | --- | --- | --- | --- |"]
    for c in attack_claims.judge(doc):
        lines.append("| %s | %s | %s | **%s** | %s |" % (c["claim"], c["experiment"], c["figure"], c["verdict"],
                                                        c["evidence"]))
    return lines + ["", "Verdicts come from the runs: a problem is *reproduced* when its attack succeeded under "
                    "the problem's policy and every run under the fix stopped it, *partly* when the problem showed "
                    "but the fix was not measured or did not hold everywhere, *refuted* when the attack never "
                    "succeeded under the problem's policy. The timer claim: armed / unarmed median round trip at "
                    "least %.1fx at some message size, in every layer measured (*partly*: in some)."
                    % attack_claims.DRAMATIC, ""]


def mismatch_lines(doc):
    rows = [o for o in doc["outcomes"] if o["mismatch"]]
    if not rows:
        return ["Mismatches: none; every attack ended as its run description expects.", ""]
    lines = ["**Mismatches** (the outcome differs from what the run description expects; a finding, not an "
             "error of the harness):", ""]
    for o in rows:
        lines.append("- `%s`: %s under `%s` (%s layer) %s, expected %s%s" % (
            o["label"], o["attack"], o["policy"], o["layer"], "succeeded" if o["succeeded"] else "was stopped",
            "to succeed" if o["expected"] else "to be stopped",
            " (" + "; ".join(o["reasons"]) + ")" if o["reasons"] else ""))
    return lines + [""]


def dos_lines(doc):
    rows = [o for o in doc["outcomes"] if o["attack"] == "dos-flood"]
    if not rows:
        return []
    lines = ["| run | policy | layer | attacker stopped by | peak buffer bytes | kernel object bytes at the end | "
             "round trip before -> during | slowdown | outcome |", "| --- | --- | --- | --- | ---: | ---: | ---: | "
             "---: | --- |"]
    for o in rows:
        lines.append("| `%s` | %s | %s | %s | %s | %s | %s -> %s | %s | %s |" % (
            o["label"], o["policy"], o["layer"], ", ".join(o["stopped_by"]) or "-", _number(o["buffer_peak_bytes"]),
            _number(o["kernel_object_bytes"]), _number(o["rt_before"]), _number(o["rt_during"]),
            _number(o["slowdown"], "{:.2f}x"), "succeeded" if o["succeeded"] else "stopped"))
    return lines + [""]


def timer_lines(doc):
    rows = timer_overhead.overhead(doc)
    if not rows:
        return []
    lines = ["| layer | IPC fast paths | bytes | timer not armed | timer armed | armed / not armed |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    lines += ["| %s | %s | %d | %s | %s | %s |" % (r["layer"], "on" if r["path"] == "fast" else "off", r["bytes"],
                                                  _number(r["unarmed_median"]), _number(r["armed_median"]),
                                                  _number(r["armed_over_unarmed"], "{:.2f}"))
              for r in rows]
    return lines + ["", "Medians in guest instructions per round trip. The fast paths take only sends without a "
                    "timeout, so with them on an armed timer also means the slow path; with them off both ways "
                    "the difference is the timer's own cost."]


def run_lines(doc):
    lines = ["| run | attack | layer | policy | outcome | expected | kernel survived | legitimate tasks finished | "
             "blocked (instr.) | sends aborted | ending |", "| --- | --- | --- | --- | --- | --- | --- | --- | ---: | "
             "---: | --- |"]
    for o in doc["outcomes"]:
        lines.append("| `%s` | %s | %s | %s | %s%s | %s | %s | %s | %s | %s | %s |" % (
            o["label"], o["attack"] + (" (" + o["variant"] + ")" if o["variant"] else ""), o["layer"], o["policy"],
            "succeeded" if o["succeeded"] else "stopped", " (!)" if o["mismatch"] else "",
            "succeeds" if o["expected"] else "stopped", _yes(o["kernel_survived"]), _yes(o["legit_finished"]),
            _number(o["blocked_instructions"]), _number(o["sends_aborted"]), o["status"]))
    return lines + [""]


def section(doc, directory=RESULTS):
    """The report's lines; writes the three plots into `directory`."""
    problems = attacks.summarise(doc)
    matrix_png = plot_attacks.plot_matrix(doc, os.path.join(directory, "attacks_matrix.png"))
    dos_png = plot_attacks.plot_dos_memory(doc, os.path.join(directory, "attacks_dos_memory.png"))
    timer_png = plot_attacks.plot_timer_overhead(doc, os.path.join(directory, "attacks_timer_overhead.png"))
    lines = ["## Attacks (experiment `attacks`)", "", "Claim under test: " + (doc.get("claim") or "-"), "",
             "Each attack of docs/attacks.md runs under each policy, in the native and the MPI layer where the "
             "layer allows it; the harness judges it from the lines the tasks print and how the run ended.", "",
             "### Outcomes", ""] + matrix_lines(doc) + [""]
    lines += _figure(matrix_png, "attacks_matrix.png", "attack outcomes by policy")
    lines += mismatch_lines(doc)
    if problems:
        lines += ["**Harness problems** (lines that do not follow docs/attacks.md):", ""]
        lines += ["- " + p for p in problems] + [""]
    lines += ["### The study's claims", ""] + claim_lines(doc)
    lines += ["### Denial of service: kernel memory during a flood", ""]
    lines += _figure(dos_png, "attacks_dos_memory.png", "kernel memory buffering a flood") + dos_lines(doc)
    lines += ["### What a timer costs", ""]
    lines += _figure(timer_png, "attacks_timer_overhead.png", "timer overhead") + timer_lines(doc) + [""]
    lines += ["### Every run", ""] + run_lines(doc)
    return lines
