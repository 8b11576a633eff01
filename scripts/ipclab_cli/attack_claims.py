"""The study's security claims (seed 000, "Feasibility") judged on the attack experiment's
data: each claim names a problem, the policy under which it should show, and the fixes that
should stop it; the verdict (reproduced, partly, refuted, not measured) and its sentence come
from the outcome rows and the timer runs, never from a table of answers."""
import timer_overhead

# A timer whose armed round trip costs at least this many times the unarmed one (median guest
# instructions, at some message size) is called a "dramatic" overhead: +50 %.
DRAMATIC = 1.5

MATRIX_FIGURE = "attacks_matrix.png"
CLAIMS = [
    {"id": "no_capabilities", "attack": "unauthorized", "layer": "mpi", "problem": ["mpi-open"],
     "fixes": ["mpi-rights"], "figure": MATRIX_FIGURE,
     "claim": "No capability feature in MPI: every process could communicate with each other; "
              "fix: groups with a rights table"},
    {"id": "dos", "attack": "dos-flood", "layer": "mpi", "problem": ["mpi-open"],
     "fixes": ["mpi-blocking", "mpi-credit"], "figure": MATRIX_FIGURE + ", attacks_dos_memory.png",
     "claim": "Denial of service: a malicious program could send an unlimited amount of non-blocking "
              "messages; fix: forbid non-blocking messages"},
    {"id": "starvation", "attack": "starve", "layer": "mpi", "problem": ["mpi-blocking"], "fixes": ["mpi-timeout"],
     "figure": MATRIX_FIGURE,
     "claim": "Starving by blocking messages: a blocking send could starve a process if the receiver "
              "never appears; fix: a timer in messages, or a communicator that breaks down the send"},
    {"id": "timer_overhead", "figure": "attacks_timer_overhead.png",
     "claim": "The timer on sends causes dramatic overhead (!)"},
]


def _count(rows, succeeded):
    return sum(1 for r in rows if r["succeeded"] == succeeded)


def _attack_verdict(c, outcomes):
    rows = [o for o in outcomes if o["attack"] == c["attack"] and o["layer"] == c["layer"]]
    problem = [o for o in rows if o["policy"] in c["problem"]]
    fixes = [p for p in c["fixes"] if any(o["policy"] == p for o in rows)]
    fixed = [o for o in rows if o["policy"] in fixes]
    if not problem:
        return "not measured", "no %s run of %s under %s" % (c["layer"].upper(), c["attack"], " or ".join(c["problem"]))
    shown = _count(problem, True) > 0
    said = "%s succeeded in %d of %d %s runs under %s" % (c["attack"], _count(problem, True), len(problem),
                                                         c["layer"].upper(), "/".join(c["problem"]))
    if fixed:
        said += "; under %s it was stopped in %d of %d" % ("/".join(fixes), _count(fixed, False), len(fixed))
    else:
        said += "; no run under the fix (%s)" % "/".join(c["fixes"])
    if not shown:
        return "refuted", said + ": the problem did not show."
    if fixed and _count(fixed, True) == 0:
        return "reproduced", said + "."
    return "partly", said + (": the fix did not hold everywhere." if fixed else ": the fix is not measured.")


def _worst(rows):
    """{layer: (largest armed/unarmed ratio, its size)} of overhead rows."""
    worst = {}
    for r in rows:
        ratio = r["armed_over_unarmed"]
        if ratio is not None and (r["layer"] not in worst or ratio > worst[r["layer"]][0]):
            worst[r["layer"]] = (ratio, r["bytes"])
    return worst


def _said(worst):
    return " and ".join("%s +%.0f%% (%.2fx at %d bytes)" % ("MPI" if layer == "mpi" else "native",
                                                             100 * (ratio - 1), ratio, size)
                        for layer, (ratio, size) in sorted(worst.items()))


def timer_verdict(doc):
    """(verdict, sentence, {layer: (largest armed/unarmed ratio, its size)}) of the timer claim,
    judged on the runs with the fast paths on (how the system runs); the runs with them off
    tell how much of that is the timer itself."""
    rows = timer_overhead.overhead(doc)
    worst = _worst(r for r in rows if r["path"] == "fast")
    slow = _worst(r for r in rows if r["path"] == "slow")
    if not worst:
        return "not measured", "no timer- runs measured with and without a timer armed.", worst
    dramatic = [layer for layer, (ratio, _) in worst.items() if ratio >= DRAMATIC]
    verdict = "reproduced" if len(dramatic) == len(worst) else "partly" if dramatic else "refuted"
    sentence = ("an armed timer costs at most %s per round trip (median guest instructions, largest over the "
                "sizes); 'dramatic' means at least %.1fx (+%.0f%%)." % (_said(worst), DRAMATIC, 100 * (DRAMATIC - 1)))
    if slow:
        sentence += " With the fast paths off both ways the timer itself costs at most %s." % _said(slow)
        if dramatic and not any(slow[layer][0] >= DRAMATIC for layer in dramatic if layer in slow):
            verdict = "partly"
            sentence += (" So the overhead is real but is the fast path's: it takes only sends without a "
                         "timeout, and the timer's own bookkeeping is small.")
    return verdict, sentence, worst


def judge(doc):
    """[{id, claim, experiment, figure, verdict, evidence}] for every claim of CLAIMS."""
    out = []
    for c in CLAIMS:
        if c["id"] == "timer_overhead":
            verdict, evidence, _ = timer_verdict(doc)
        else:
            verdict, evidence = _attack_verdict(c, doc.get("outcomes", []))
        experiment = "attacks: " + ("runs timer-*" if c["id"] == "timer_overhead" else
                                    "%s, %s layer, %s vs %s" % (c.get("attack"), c.get("layer"),
                                                                "/".join(c["problem"]), "/".join(c["fixes"])))
        out.append({"id": c["id"], "claim": c["claim"], "experiment": experiment, "figure": c["figure"],
                    "verdict": verdict, "evidence": evidence})
    return out
