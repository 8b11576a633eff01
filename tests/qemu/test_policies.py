"""The user side of clans-chiefs and ref-monitor (experiments/policies, docs/policies.md): a
call between two clans passes both chiefs and arrives with its sender and its answer; a
refused pair is refused, by a chief and by a monitor; a monitor is asked once, then calls go
direct. Asserts on the JSON the programs print (verified rows, the overseers' IPC counts,
refusals, attack lines), never on timing; the runs come from experiments/policies and
experiments/attacks, with fewer repetitions."""
import copy
import os

import qemu_test
from qemu_test import ROOT, BUILD, runner, experiments


def load(name):
    e = experiments.load_file(os.path.join(ROOT, "experiments", name, "experiment.json"))
    return {r["label"]: r for r in e["runs"]}


class Policies(qemu_test.QemuTest):
    @classmethod
    def setUpClass(cls):
        cls.cost = load("policies")
        cls.attacks = load("attacks")

    def boot(self, run, tag, expect="ok"):
        env = dict(qemu_test.ENV, IPCLAB_POLICY=run["policy"])
        manifest, modules = runner.compose(run, env)
        out = runner.boot(BUILD, "test-policies-" + tag, manifest, modules, 60)
        self.assertNoPanic(out)
        self.assertRunStatus(out, expect)
        return out

    def tid_run(self, label, sizes="0,8", **args):
        """A tid_pingpong run of policy_cost with 20 round trips a size (and 20 warm-ups) of
        `sizes`, and `args` ({task name: [arguments]}) added to its tasks' arguments."""
        run = copy.deepcopy(self.cost[label])
        for t in run["tasks"]:
            a = t.get("args", [])
            for option, value in (("--reps", "20"), ("--warmup", "20"), ("--sizes", sizes)):
                if option in a:
                    a[a.index(option) + 1] = value
            t["args"] = a + args.get(t["name"], [])
        return run

    def rows(self, out):
        """{transport kind: [(bytes, policy_ipcs)]} of the result rows, all verified."""
        rows = [l for l in out.output if l.get("type") == "result"]
        self.assertTrue(rows, out.text[-3000:])
        for r in rows:
            self.assertTrue(r["verified"], r)
        return {kind: [(r["bytes"], r["policy_ipcs"]) for r in rows if r["transport"].endswith(kind)]
                for kind in ("first call", "message registers")}

    def test_a_call_between_clans_passes_both_chiefs(self):
        out = self.boot(self.tid_run("tid-two-clans", sizes="0,8,512"), "two-clans")
        # verified: the server saw the client's own thread id, not redirected, and the echo came
        # back (512 bytes: MR4.. through the chiefs' UTCBs); each chief made two IPCs per call
        # (its call, its answer)
        self.assertEqual(self.rows(out), {"first call": [(0, 4.0)],
                                          "message registers": [(0, 4.0), (8, 4.0), (512, 4.0)]})
        out = self.boot(self.tid_run("tid-one-clan"), "one-clan")
        self.assertEqual(self.rows(out), {"first call": [(0, 0.0)], "message registers": [(0, 0.0), (8, 0.0)]})

    def test_a_chief_refuses_the_pairs_it_is_told_to(self):
        out = self.boot(self.tid_run("tid-two-clans", chiefY=["--refuse", "*"]), "refuse-all", "tasks_failed")
        refused = [l for l in out.output if l.get("type") == "refused"]
        self.assertEqual(len(refused), 1, out.text[-3000:])
        self.assertEqual(refused[0]["status"], "ok")  # refused, not failed
        client, server = str(refused[0]["client"]), str(refused[0]["server"])
        # Boots are deterministic: the same thread ids again. The pair is refused one way only.
        out = self.boot(self.tid_run("tid-two-clans", chiefX=["--refuse", client + ":" + server]), "refuse-pair",
                        "tasks_failed")
        self.assertEqual([(l["client"], l["server"]) for l in out.output if l.get("type") == "refused"],
                         [(int(client), int(server))])
        out = self.boot(self.tid_run("tid-two-clans", chiefX=["--refuse", server + ":" + client]), "other-pair")
        self.assertEqual(self.rows(out)["first call"], [(0, 4.0)])

    def test_a_monitor_is_asked_once_then_calls_are_direct(self):
        out = self.boot(self.tid_run("tid-monitor"), "monitor")
        # the exception and its answer on the first call, nothing afterwards
        self.assertEqual(self.rows(out), {"first call": [(0, 2.0)], "message registers": [(0, 0.0), (8, 0.0)]})

    def test_the_attackers_overseer_stops_it(self):
        for label, accepted, errors in (("unauthorized-tid-clans-native", 2, {}),
                                        ("unauthorized-tid-monitor-native", 1, {"denied": 1})):
            run = self.attacks[label]
            out = self.boot(run, label, run["expect"])
            lines = {l["name"]: l for l in out.output if l.get("type") == "attack"}
            self.assertEqual(lines["server"]["violations"], 0, label)
            attacker = lines["attacker"]
            # accepted: the message to its own overseer, and (chief) the one the chief dropped
            self.assertEqual(attacker["accepted"], accepted, label)
            self.assertEqual({k: v for k, v in attacker["errors"].items() if k != "invalid_capability"}, errors,
                             label)


if __name__ == "__main__":
    qemu_test.main()
