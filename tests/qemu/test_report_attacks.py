"""The attack experiments' harness on hand-written fixtures: "policies" expansion, the new keys'
validation messages, the rights lines of the run description, judging attack runs
(docs/attacks.md), the matrix, attacks.json/.csv, `run` printing a MISMATCH without failing,
and the report section with its claim verdicts. Needs no QEMU and no build; writes only into
a temporary folder."""
import contextlib
import copy
import csv
import io
import json
import os
import tempfile
import unittest

import qemu_test  # noqa: F401  first: puts the harness on the import path

import attack_claims  # noqa: E402
import attacks  # noqa: E402
import experiments  # noqa: E402
import report_attacks  # noqa: E402
import results  # noqa: E402
import runner  # noqa: E402
import timer_overhead  # noqa: E402
from errors import UserError  # noqa: E402

FLOOD = {"name": "dos-flood", "succeeds": {"mpi-open": True, "*": False}, "legit": ["rank1", "rank2"]}


def experiment(*runs):
    return {"name": "attacks", "description": "fixture", "runs": list(runs)}


def flood_run(**extra):
    run = {"label": "flood", "layer": "mpi", "policies": ["mpi-open", "mpi-blocking"],
           "expect": {"mpi-open": "tasks_failed", "*": "ok"}, "attack": copy.deepcopy(FLOOD),
           "mpi": {"program": "attack_flood", "ranks": 3}}
    run.update(extra)
    return {k: v for k, v in run.items() if v is not None}  # None: leave the key out


def line(role, name, attack="dos-flood", **fields):
    return dict({"type": "attack", "attack": attack, "layer": "mpi", "policy": "p", "role": role, "name": name},
                **fields)


def attacker(name="rank0", attack="dos-flood", **fields):
    return line("attacker", name, attack, **dict({"attempts": 100, "accepted": 100, "errors": {},
                                                   "buffer_peak_bytes": 4096, "stopped_by": "limit"}, **fields))


def client(name, before=1000, during=1100, failed=0, attack="dos-flood"):
    return line("client", name, attack, round_trips_before=10, rt_median_before=before, round_trips_during=10,
                rt_median_during=during, failed=failed, errors={})


def server(name, attack, violations=0, **fields):
    return line("server", name, attack, **dict({"received": 1, "violations": violations, "result": "ok"}, **fields))


def entry(attack, lines, policy="mpi-open", layer="mpi", status="ok", label=None, run_end=True, variant=None):
    a = copy.deepcopy(attack)
    if variant:
        a["variant"] = variant
    events = [{"event": "run_end", "status": status, "kernel_object_bytes": 65536}] if run_end else []
    return {"label": label or "%s.%s" % (a["name"], policy), "layer": layer, "policy": policy, "status": status,
            "expected": "ok", "events": events, "attack": a, "output": lines, "unparsed": []}


def judged(*args, **kwargs):
    row, problems = attacks.judge(entry(*args, **kwargs))
    return row, problems


class Expansion(unittest.TestCase):
    def test_policies_become_runs_labelled_by_policy(self):
        e = experiments.expand(experiments.validate(experiment(flood_run(), {
            "label": "plain", "layer": "mpi", "mpi": {"program": "x", "ranks": 2}}), "x"))
        self.assertEqual([(r["label"], r["policy"], r["expect"]) for r in e["runs"]], [
            ("flood.mpi-open", "mpi-open", "tasks_failed"), ("flood.mpi-blocking", "mpi-blocking", "ok"),
            ("plain", "capability", "ok")])
        self.assertNotIn("policies", e["runs"][0])
        self.assertEqual([r["attack"]["succeeds"] for r in e["runs"][:2]], [{"mpi-open": True},
                                                                            {"mpi-blocking": False}])
        experiments.validate(e, "again")  # an expanded experiment is a valid one

    def test_load_file_expands(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "experiment.json")
            with open(path, "w") as f:
                json.dump(experiment(flood_run()), f)
            self.assertEqual([r["label"] for r in experiments.load_file(path)["runs"]],
                             ["flood.mpi-open", "flood.mpi-blocking"])

    def test_rights_lines_follow_the_communicator(self):
        run = flood_run(mpi={"program": "p", "ranks": 3, "rights": ["deny 2 0", "allow  *  *"]})
        run = experiments.expand(experiments.validate(experiment(run), "x"))["runs"][0]
        manifest, _ = runner.compose(run, {})
        lines = manifest.splitlines()
        self.assertEqual(lines[-3:], ["communicator world 1 1 2 3", "rights world deny 2 0", "rights world allow * *"])


class Validation(unittest.TestCase):
    def fails(self, run, message, *more):
        with self.assertRaises(UserError) as ctx:
            experiments.validate(experiment(*((run,) + more)), "x")
        self.assertIn(message, str(ctx.exception))

    def test_messages_name_the_problem(self):
        world_task = {"name": "extra", "program": "p", "world": True}
        cases = [
            (flood_run(policy="mpi-open"), "runs[0]: give 'policy' or 'policies', not both"),
            (flood_run(policies=[]), "runs[0].policies: at least one policy"),
            (flood_run(policies=["mpi-open", "nope"]), "runs[0].policies[1]: unknown policy 'nope'"),
            (flood_run(policies=["mpi-open", "mpi-open"]), "runs[0].policies: a policy is named twice"),
            (flood_run(expect="finished"), "runs[0].expect: unknown ending 'finished'"),
            (flood_run(expect={"mpi-open": "ok"}), "runs[0].expect: no value for policy mpi-blocking"),
            (flood_run(expect={"mpi-rights": "ok", "*": "ok"}), "'mpi-rights' is not a policy of this run"),
            (flood_run(expect={"*": "deadlock", "mpi-open": "boom"}), "runs[0].expect.mpi-open: unknown ending"),
            (flood_run(attack=dict(FLOOD, name="ddos")), "runs[0].attack.name: unknown attack 'ddos'"),
            (flood_run(attack=dict(FLOOD, succeeds={"*": "yes"})), "runs[0].attack.succeeds.*: expected true or"),
            (flood_run(attack=dict(FLOOD, succeeds={"mpi-open": True})), "attack.succeeds: no value for policy"),
            (flood_run(attack=dict(FLOOD, legit=["rank3"])), "runs[0].attack.legit[0]: no task or rank 'rank3'"),
            (flood_run(attack={"name": "starve", "succeeds": {"*": True}}), "attack 'starve' is judged by its "
                                                                            "legitimate tasks"),
            (flood_run(attack=dict(FLOOD, colour=1)), "runs[0].attack: unknown key 'colour'"),
            (flood_run(mpi={"program": "p", "ranks": 3, "rights": ["deny 3 0"]}),
             "runs[0].mpi.rights[0]: '3' is neither '*' nor a rank 0..2"),
            (flood_run(mpi={"program": "p", "ranks": 3, "rights": ["forbid 1 0"]}),
             "expected 'allow|deny FROM-RANK|* TO-RANK|*', not 'forbid 1 0'"),
            (flood_run(mpi={"program": "p", "ranks": 3, "rights": "deny 1 0"}), "runs[0].mpi.rights: expected a list"),
            (flood_run(mpi={"program": "p", "ranks": 3, "rights": ["deny 1 -1"]}), "'-1' is neither"),
            (flood_run(mpi={"program": "p", "ranks": 2, "rights": ["deny 3 0"]}, tasks=[world_task]),
             "'3' is neither '*' nor a rank 0..2"),  # the world task is rank 2
        ]
        for run, message in cases:
            with self.subTest(message):
                self.fails(run, message)

    def test_expanded_labels_stay_unique(self):
        self.fails(flood_run(), "labels must be unique: runs[0] is also labelled 'flood.mpi-open' (a run with "
                                "'policies' is labelled LABEL.POLICY)",
                   flood_run(label="flood.mpi-open", policy="capability", policies=None, expect="ok",
                             attack=dict(FLOOD, succeeds={"*": False})))

    def test_good_extensions_pass(self):
        counted = {"name": "client", "program": "p", "count": 2}
        run = flood_run(tasks=[counted], attack=dict(FLOOD, legit=["client1", "rank2"], variant="isend"),
                        mpi={"program": "p", "ranks": 3, "rights": ["deny * 0", "allow 1 0"]})
        experiments.validate(experiment(run), "x")


class Judging(unittest.TestCase):
    def test_flood_stopped_by_out_of_memory_succeeds(self):
        row, problems = judged(FLOOD, [attacker(stopped_by="out_of_memory", buffer_peak_bytes=1 << 20,
                                                errors={"out_of_memory": 1}),
                                       client("rank1"), client("rank2", 1000, 1500)])
        self.assertEqual(problems, [])
        self.assertTrue(row["succeeded"])
        self.assertTrue(row["expected"])
        self.assertFalse(row["mismatch"])
        self.assertEqual(row["reasons"], ["attacker rank0 stopped by out_of_memory"])
        self.assertEqual((row["rt_before"], row["rt_during"], row["slowdown"]), (1000, 1500, 1.5))
        self.assertEqual(row["buffer_peak_bytes"], 1 << 20)
        self.assertEqual(row["buffer_peak_by_task"], {"rank0": 1 << 20})
        self.assertEqual(row["kernel_object_bytes"], 65536)
        self.assertEqual(row["errors"], {"out_of_memory": 1})
        self.assertTrue(row["kernel_survived"])
        self.assertTrue(row["legit_finished"])

    def test_flood_other_ways_to_succeed(self):
        quiet = [attacker(), client("rank1"), client("rank2")]
        self.assertFalse(judged(FLOOD, quiet, policy="mpi-blocking")[0]["succeeded"])
        cases = [([attacker(), client("rank1"), client("rank2", 1000, 2000)], {}, "2.00x slower"),
                 ([attacker(), client("rank1", failed=2), client("rank2")], {}, "2 legitimate operations failed"),
                 ([attacker(), client("rank1")], {}, "rank2 did not finish"),
                 (quiet, {"status": "panic", "run_end": False}, "the kernel did not survive (panic)"),
                 (quiet, {"status": "timeout"}, "the kernel did not survive (timeout)")]
        for lines, how, reason in cases:
            with self.subTest(reason):
                row, _ = judged(FLOOD, lines, policy="mpi-blocking", **how)
                self.assertTrue(row["succeeded"])
                self.assertTrue(row["mismatch"])  # mpi-blocking is expected to stop it
                self.assertIn(reason, "; ".join(row["reasons"]))
                self.assertTrue(attacks.verdict_line(row, "[x]").startswith("MISMATCH: [x] attack dos-flood"))

    def test_samples_raise_the_peak(self):
        sample = {"type": "attack_sample", "attack": "dos-flood", "t": 10, "sent": 64, "buffer_bytes": 9000}
        row, problems = judged(FLOOD, [sample, client("rank1"), client("rank2")])  # the attacker never finished
        self.assertEqual((problems, row["buffer_peak_bytes"], row["buffer_peak_by_task"]), ([], 9000, {}))

    def test_starve_and_deadlock_by_silence(self):
        starve = {"name": "starve", "succeeds": {"mpi-blocking": True, "*": False}, "legit": ["rank0"]}
        row, _ = judged(starve, [], policy="mpi-blocking", status="deadlock")
        self.assertEqual((row["succeeded"], row["legit_finished"], row["legit_missing"]), (True, False, ["rank0"]))
        self.assertEqual(row["reasons"], ["rank0 still blocked when the run ended (deadlock)"])
        victim = line("victim", "rank0", "starve", received=0, violations=0, result="timed_out",
                      blocked_instructions=100000000)
        row, _ = judged(starve, [victim], policy="mpi-timeout")
        self.assertEqual((row["succeeded"], row["blocked_instructions"]), (False, 100000000))
        self.assertEqual(row["victim_results"], {"rank0": "timed_out"})
        deadlock = {"name": "deadlock", "succeeds": {"*": True}, "legit": ["a", "b"]}
        row, _ = judged(deadlock, [line("client", "a", "deadlock", failed=0)], layer="native", policy="capability")
        self.assertEqual((row["succeeded"], row["legit_missing"]), (True, ["b"]))

    def test_unauthorized_spoof_forge(self):
        for name in ("unauthorized", "spoof", "forge"):
            a = {"name": name, "succeeds": {"*": False}}
            row, _ = judged(a, [attacker(attack=name, accepted=0), server("rank1", name, violations=3)])
            self.assertTrue(row["succeeded"], name)
            self.assertEqual((row["violations"], row["legit_finished"]), (3, None))
            row, _ = judged(a, [attacker(attack=name, accepted=0), server("rank1", name)])
            self.assertFalse(row["succeeded"], name)
        row, _ = judged({"name": "forge", "succeeds": {"*": False}}, [attacker(attack="forge", accepted=2)])
        self.assertEqual(row["reasons"], ["2 operations on forged slots or handles carried out"])
        row, _ = judged({"name": "spoof", "succeeds": {"*": False}}, [attacker(attack="spoof", accepted=2)])
        self.assertFalse(row["succeeded"])  # accepted sends are not spoofed ones: the receiver judges

    def test_manager_aborts_are_counted(self):
        starve = {"name": "starve", "succeeds": {"*": False}, "legit": ["rank0"]}
        lines = [line("victim", "rank0", "starve", violations=0, result="send_aborted"),
                 line("manager", "rank2", "starve", aborted=1)]
        row, problems = judged(starve, lines, policy="mpi-blocking")
        self.assertEqual((problems, row["sends_aborted"], row["succeeded"]), ([], 1, False))

    def test_harness_problems(self):
        e = entry(FLOOD, [line("attacker", "rank0", attempts=1),  # no accepted
                          line("intruder", "rank1"),
                          line("client", "rank2", attack="starve", failed=0),
                          line("client", "rank2", failed="none"),
                          {"type": "attack_sample", "attack": "dos-flood", "t": -1, "sent": 1, "buffer_bytes": 0}])
        e["unparsed"] = ['{"type":"attack","role":']
        _, problems = attacks.judge(e)
        text = "\n".join(problems)
        for message in ("attacker line of 'rank0': missing accepted", "intruder line of 'rank1': role must be",
                        "attack 'starve', but the run's attack is 'dos-flood'", "not a count: failed",
                        "attack_sample: not a count: t", "is not JSON"):
            self.assertIn(message, text)
        del e["output"]
        self.assertIn("no attack lines", "\n".join(attacks.judge(e)[1]))

    def test_unparsed_lines_are_found_in_the_console_text(self):
        out = runner.Outcome()
        out.text = '{"type":"attack","name":"rank0"\n' + '{"type":"result"\n' + 'x\x1e{"event":"run_end"}\n'
        self.assertEqual(attacks.record({"attack": FLOOD}, out)["unparsed"], ['{"type":"attack","name":"rank0"'])

    def test_matrix(self):
        rows = [judged(FLOOD, [attacker(stopped_by="out_of_memory")], variant="a")[0],
                judged(FLOOD, [attacker(), client("rank1"), client("rank2")], variant="b")[0],
                judged(FLOOD, [attacker(), client("rank1"), client("rank2")], policy="mpi-blocking")[0],
                judged({"name": "spoof", "succeeds": {"*": False}}, [server("s", "spoof")], layer="native",
                       policy="capability")[0]]
        self.assertEqual(attacks.matrix(rows), {
            "dos-flood": {"capability": {"native": "n/a", "mpi": "n/a"},
                          "mpi-open": {"native": "n/a", "mpi": "succeeded"},  # one variant is enough
                          "mpi-blocking": {"native": "n/a", "mpi": "stopped"}},
            "spoof": {"capability": {"native": "stopped", "mpi": "n/a"},
                      "mpi-open": {"native": "n/a", "mpi": "n/a"}, "mpi-blocking": {"native": "n/a", "mpi": "n/a"}}})


def timer_rows(run, layer, medians):
    return [{"type": "result", "run": run, "layer": layer, "bytes": b, "median": m, "unit": "guest_instructions"}
            for b, m in medians.items()]


def document(timer_factor=1.1, credit_holds=True):
    """An attacks document: unauthorized, dos-flood and starve under their policies, and timer runs."""
    unauth = {"name": "unauthorized", "succeeds": {"mpi-open": True, "*": False}}
    starve = {"name": "starve", "succeeds": {"mpi-blocking": True, "*": False}, "legit": ["rank0"]}
    runs = [entry(unauth, [server("rank1", "unauthorized", violations=1)]),
            entry(unauth, [server("rank1", "unauthorized")], policy="mpi-rights"),
            entry(FLOOD, [attacker(stopped_by="out_of_memory")] +
                  [{"type": "attack_sample", "attack": "dos-flood", "t": 1000 * i, "sent": 64 * i,
                    "buffer_bytes": 4096 * i} for i in range(1, 5)]),
            entry(FLOOD, [attacker(), client("rank1"), client("rank2")], policy="mpi-blocking"),
            entry(FLOOD, [attacker(stopped_by="MPIX_ERR_CREDIT"), client("rank1"),
                          client("rank2", 1000, 1000 if credit_holds else 5000)], policy="mpi-credit"),
            entry(starve, [], policy="mpi-blocking", status="deadlock"),
            entry(starve, [line("victim", "rank0", "starve", violations=0, result="timed_out")], policy="mpi-timeout")]
    runs += [{"label": label, "layer": layer, "policy": policy, "status": "ok", "events": []}
             for label, layer, policy in (("timer-native-off", "native", "capability"),
                                          ("timer-native-armed", "native", "capability"),
                                          ("timer-mpi.mpi-blocking", "mpi", "mpi-blocking"),
                                          ("timer-mpi.mpi-timeout", "mpi", "mpi-timeout"))]
    res = (timer_rows("timer-native-off", "native", {8: 1000, 64: 1100}) +
           timer_rows("timer-native-armed", "native", {8: 1000 * timer_factor, 64: 1100}) +
           timer_rows("timer-mpi.mpi-blocking", "mpi", {8: 2000}) +
           timer_rows("timer-mpi.mpi-timeout", "mpi", {8: 2000 * timer_factor}))
    doc = {"experiment": "attacks", "description": "fixture", "claim": "the study's security problems",
           "context": {"commit": "test"}, "runs": runs, "results": res}
    attacks.summarise(doc)
    return doc


class Claims(unittest.TestCase):
    def verdicts(self, doc):
        return {c["id"]: c["verdict"] for c in attack_claims.judge(doc)}

    def test_verdicts_come_from_the_data(self):
        self.assertEqual(self.verdicts(document()), {"no_capabilities": "reproduced", "dos": "reproduced",
                                                     "starvation": "reproduced", "timer_overhead": "refuted"})
        self.assertEqual(self.verdicts(document(timer_factor=attack_claims.DRAMATIC, credit_holds=False)),
                         {"no_capabilities": "reproduced", "dos": "partly", "starvation": "reproduced",
                          "timer_overhead": "reproduced"})
        doc = document()
        doc["runs"] = [r for r in doc["runs"] if r.get("attack", {}).get("name") != "starve"]
        attacks.summarise(doc)
        self.assertEqual(self.verdicts(doc)["starvation"], "not measured")

    def test_timer_arming(self):
        run = {"label": "timer-mpi", "policy": "mpi-open"}
        self.assertFalse(timer_overhead.armed({}, run))
        self.assertTrue(timer_overhead.armed({}, dict(run, send_timeout_ns=5)))
        self.assertTrue(timer_overhead.armed({}, dict(run, policy="mpi-timeout")))
        self.assertFalse(timer_overhead.armed({}, dict(run, label="timer-mpi-off.mpi-timeout")))
        self.assertTrue(timer_overhead.armed({"timer_armed": True}, run))
        self.assertEqual(timer_overhead.overhead(document(timer_factor=2)), [
            {"layer": "native", "path": "fast", "bytes": 8, "unarmed_median": 1000, "armed_median": 2000,
             "armed_over_unarmed": 2.0},
            {"layer": "native", "path": "fast", "bytes": 64, "unarmed_median": 1100, "armed_median": 1100,
             "armed_over_unarmed": 1.0},
            {"layer": "mpi", "path": "fast", "bytes": 8, "unarmed_median": 2000, "armed_median": 4000,
             "armed_over_unarmed": 2.0}])

    def test_a_timer_cost_that_is_the_fast_paths_is_only_partly_the_timers(self):
        doc = document(timer_factor=2)
        for label, layer, policy, median in (("timer-mpi-slowpath.mpi-blocking", "mpi", "mpi-blocking", 3000),
                                             ("timer-mpi-slowpath.mpi-timeout", "mpi", "mpi-timeout", 3150)):
            doc["runs"].append({"label": label, "layer": layer, "policy": policy, "status": "ok", "events": []})
            doc["results"] += timer_rows(label, layer, {8: median})
        attacks.summarise(doc)
        self.assertIn({"layer": "mpi", "path": "slow", "bytes": 8, "unarmed_median": 3000, "armed_median": 3150,
                       "armed_over_unarmed": 1.05}, doc["timer_overhead"])
        verdict, sentence, _ = attack_claims.timer_verdict(doc)
        self.assertEqual(verdict, "partly")
        self.assertIn("the timer itself costs at most MPI +5%", sentence)


class Outputs(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_json_csv_and_report(self):
        doc = document()
        with contextlib.redirect_stderr(io.StringIO()):
            results.write(doc, self.dir)
        with open(os.path.join(self.dir, "attacks.json")) as f:
            saved = json.load(f)
        self.assertEqual(len(saved["outcomes"]), 7)
        self.assertEqual(saved["matrix"]["unauthorized"]["mpi-open"], {"native": "n/a", "mpi": "succeeded"})
        with open(os.path.join(self.dir, "attacks.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([r["label"] for r in rows], [o["label"] for o in saved["outcomes"]])
        self.assertEqual(list(rows[0])[:4], ["attack", "variant", "layer", "policy"])
        self.assertEqual(json.loads(rows[2]["stopped_by"]), ["out_of_memory"])
        lines = report_attacks.section(saved, self.dir)
        for png in ("attacks_matrix.png", "attacks_dos_memory.png", "attacks_timer_overhead.png"):
            self.assertTrue(os.path.getsize(os.path.join(self.dir, png)) > 0, png)
        text = "\n".join(lines)
        self.assertIn("| `mpi-open` | - / **succeeded** | - / - | - / **succeeded** |", text)
        self.assertIn("Mismatches: none", text)
        self.assertIn("| **refuted** | an armed timer costs at most MPI +10% (1.10x at 8 bytes) and native +10%", text)

    def test_run_prints_a_mismatch_and_does_not_fail(self):
        e = experiments.expand(experiments.validate(experiment(flood_run()), "x"))

        def boot(build_dir, name, manifest, modules, timeout, on_line=None, append="", memory_mib=512):
            out = runner.Outcome()
            out.status = "tasks_failed" if "mpi-open" in name else "ok"
            out.output = [attacker(), client("rank1"), client("rank2")]  # nobody stopped the flood under mpi-open
            out.kernel = [{"event": "run_end", "status": out.status, "kernel_object_bytes": 1}]
            return out
        saved = runner.boot, runner.qemu_version, results.commit
        runner.boot, runner.qemu_version, results.commit = boot, lambda: "qemu", lambda: "test"
        err = io.StringIO()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                doc, problems = results.run_experiment(e, "/nonexistent")
        finally:
            runner.boot, runner.qemu_version, results.commit = saved
        self.assertEqual(problems, [])
        self.assertIn("MISMATCH: [attacks/flood.mpi-open] attack dos-flood under mpi-open (mpi layer): stopped, "
                      "but the run expects it to succeed", err.getvalue())
        self.assertEqual([o["mismatch"] for o in doc["outcomes"]], [True, False])
        self.assertEqual(doc["runs"][0]["output"][0]["role"], "attacker")


if __name__ == "__main__":
    unittest.main(verbosity=2)
