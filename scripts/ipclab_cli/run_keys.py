"""The run keys of the attack experiments (issue 5, docs/experiments.md): "policies" (one run
per policy), values given per policy ("expect", "attack.succeeds"), "attack" and "mpi.rights";
a task's "kill" (fault injection, issue 7); and expand(), the one place a run with "policies"
becomes one run per policy."""
import copy

import abi
from checks import check_keys, expect, fail, name

# The attacks of docs/attacks.md, by the names attack runs and programs use.
ATTACKS = ("dos-flood", "starve", "unauthorized", "spoof", "forge", "deadlock")
# Attacks judged by the silence of legitimate tasks: their runs must name them ("legit").
NEEDS_LEGIT = ("dos-flood", "starve", "deadlock")
# The key of a per-policy object that stands for every policy not named in it.
ANY_POLICY = "*"
MAX_RIGHTS = 1024  # kernel/boot/manifest.hpp Manifest::max_rights
DEFAULT_POLICY = "capability"


def check_policy(value, where):
    """Raises a UserError unless `value` names a policy of kernel/policy/policies.def."""
    expect(value, str, where)
    known = [n for n, _ in abi.policies()]
    if value not in known:
        fail(where, "unknown policy '" + value + "' (known: " + ", ".join(known) +
             "; the list is kernel/policy/policies.def)")


def run_policies(r, where="run"):
    """The policies of a run, checked: its "policies" list, or its one "policy" (default
    capability). Giving both is an error."""
    if "policy" in r and "policies" in r:
        fail(where, "give 'policy' or 'policies', not both")
    if "policies" not in r:
        check_policy(r.get("policy", DEFAULT_POLICY), where + ".policy")
        return [r.get("policy", DEFAULT_POLICY)]
    expect(r["policies"], list, where + ".policies")
    if not r["policies"]:
        fail(where + ".policies", "at least one policy")
    for i, p in enumerate(r["policies"]):
        check_policy(p, where + ".policies[" + str(i) + "]")
    if len(set(r["policies"])) != len(r["policies"]):
        fail(where + ".policies", "a policy is named twice")
    return list(r["policies"])


def task_names(r):
    """The names of a run's tasks as the kernel knows them: copies NAME0.. of a task with
    "count", then the MPI program's ranks rank0..rank(n-1) (runner.compose)."""
    names = []
    for t in r.get("tasks", []):
        names += [t["name"] + str(i) for i in range(t["count"])] if "count" in t else [t["name"]]
    return names + ["rank" + str(i) for i in range(r.get("mpi", {}).get("ranks", 0))]


def for_policy(value, policy):
    """`value` for `policy`: a plain value, or the entry of an object {"<policy>": v, "*": v}."""
    if not isinstance(value, dict):
        return value
    return value[policy] if policy in value else value[ANY_POLICY]


def _ending(value, where):
    expect(value, str, where)
    known = [n for n, _ in abi.run_statuses().values()]
    if value not in known:
        fail(where, "unknown ending '" + value + "' (known: " + ", ".join(known) + "; abi/run_status.def)")


def _bool(value, where):
    expect(value, bool, where)


def per_policy_value(value, where, policies, kind):
    """Checks a value that may be given per policy, {"<policy>": v, "*": v}: keys are policies
    of the run or "*", every policy of the run gets a value; `kind` "ending" (a name of
    abi/run_status.def) or "bool"."""
    check = {"ending": _ending, "bool": _bool}[kind]
    if not isinstance(value, dict):
        check(value, where)
        return
    for key, v in value.items():
        if key != ANY_POLICY and key not in policies:
            fail(where, "'" + key + "' is not a policy of this run (" + ", ".join(policies) + ") nor '*'")
        check(v, where + "." + key)
    missing = [p for p in policies if p not in value and ANY_POLICY not in value]
    if missing:
        fail(where, "no value for policy " + ", ".join(missing) + " (name it or add '*')")


def rights(value, where, world):
    """mpi.rights: ["allow|deny FROM|* TO|*", ...] on MPI_COMM_WORLD of `world` ranks (the MPI
    program's ranks and the "world" tasks); the manifest's `rights world ...` lines."""
    expect(value, list, where)
    if len(value) > MAX_RIGHTS:
        fail(where, "at most " + str(MAX_RIGHTS) + " rights lines")
    for i, line in enumerate(value):
        w = where + "[" + str(i) + "]"
        expect(line, str, w)
        words = line.split()
        if len(words) != 3 or words[0] not in ("allow", "deny"):
            fail(w, "expected 'allow|deny FROM-RANK|* TO-RANK|*', not '" + line + "'")
        for rank in words[1:]:
            if rank != "*" and not (rank.isdigit() and int(rank) < world):
                fail(w, "'" + rank + "' is neither '*' nor a rank 0.." + str(world - 1) + " of MPI_COMM_WORLD")


def attack(a, where, policies, names):
    """The "attack" key: {"name", "variant", "succeeds": per policy, "legit": [task names]}."""
    check_keys(a, where, ["name", "succeeds"], ["variant", "legit"])
    if a["name"] not in ATTACKS:
        fail(where + ".name", "unknown attack '" + str(a["name"]) + "' (known: " + ", ".join(ATTACKS) + ")")
    if "variant" in a:
        name(a["variant"], where + ".variant")
    expect(a["succeeds"], dict, where + ".succeeds")
    per_policy_value(a["succeeds"], where + ".succeeds", policies, "bool")
    expect(a.get("legit", []), list, where + ".legit")
    for i, n in enumerate(a.get("legit", [])):
        if n not in names:
            fail(where + ".legit[" + str(i) + "]", "no task or rank '" + str(n) + "' in this run (" +
                 ", ".join(names) + ")")
    if a["name"] in NEEDS_LEGIT and not a.get("legit"):
        fail(where + ".legit", "attack '" + a["name"] + "' is judged by its legitimate tasks: name them")


def kill(value, where):
    """A task's "kill" key (fault injection, docs/fault-injection.md): {"when": POINT, "nth": N},
    the run description's `kill MODULE POINT N`; "nth" defaults to 1. The points are those of
    kernel/task/kill_points.def."""
    check_keys(value, where, ["when"], ["nth"])
    points = [n for n, _ in abi.kill_points()]
    if value["when"] not in points:
        fail(where + ".when", "unknown kill point '" + str(value["when"]) + "' (known: " + ", ".join(points) +
             "; the list is kernel/task/kill_points.def)")
    expect(value.get("nth", 1), int, where + ".nth")
    if not 1 <= value.get("nth", 1) < 2 ** 32:
        fail(where + ".nth", "nth counts blocks from 1 (at most 2^32-1)")


def expand(e):
    """A validated experiment with one policy per run: a run with "policies" becomes one run
    per policy, in the order given, labelled LABEL.POLICY; every run gets its "policy", its
    "expect" for that policy and an "attack.succeeds" of that policy alone ({"<policy>": bool}),
    so an expanded experiment is a valid one."""
    out = dict(e, runs=[])
    for r in e["runs"]:
        for policy in run_policies(r):
            run = copy.deepcopy(r)
            run.pop("policies", None)
            if "policies" in r:
                run["label"] = r["label"] + "." + policy
            run["policy"] = policy
            run["expect"] = for_policy(r.get("expect", "ok"), policy)
            if "attack" in run:
                run["attack"]["succeeds"] = {policy: for_policy(r["attack"]["succeeds"], policy)}
            out["runs"].append(run)
    return out
