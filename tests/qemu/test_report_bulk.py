"""The bulk-transfer report (scripts/ipclab_cli/report_bulk.py) on synthetic results: the seeds'
claims about copies judged from the data (reproduced, partly, refuted, not measured), the
tables and the plot, the eager limit read from abi/comm.hpp, and the Linux guest's and Open
MPI's bulk rows of baseline.json beside ipclab's without changing a verdict. Needs no QEMU and
no build; writes only into a temporary folder."""
import json
import os
import tempfile
import unittest

import qemu_test  # noqa: F401  first: puts the harness on the import path

import report_bulk  # noqa: E402
from errors import UserError  # noqa: E402

SIZES = (4096, 16384, 65536, 262144, 1048576)
EAGER = 4096
COPY = 0.125  # a memcpy: one rep movsq per 8 bytes


def row(layer, transport, size, median, buffered=None, touch=True, verified=True, messages=1):
    r = {"type": "result", "experiment": "bulk", "run": layer, "layer": layer, "transport": transport, "bytes": size,
         "median": int(median), "per_byte": median / size, "iterations": 100, "warmup": 10, "verified": verified,
         "touch": touch, "messages": messages}
    if buffered is not None:
        r["kernel_buffered_bytes"] = buffered
    return r


def document(sync_copies=1.8, ring_fixed=1000, ring_per_byte=0.06, eager_extra=2000, send_buffers=0,
             isend_buffers=4256, layers=("native", "mpi")):
    """Rows shaped like a real run: `sync_copies` memcpys per byte for long IPC and MPI_Send,
    a ring of `ring_fixed` + `ring_per_byte` per byte, the eager MPI_Isend `eager_extra` above
    the rendezvous."""
    rows = []
    for b in SIZES:
        local = 0.56 * b + 50
        copy = COPY * b + 30
        if "native" in layers:
            rows += [row("native", "local", b, local), row("native", "local-memcpy", b, local + copy),
                     row("native", "long-ipc", b, local + sync_copies * COPY * b + 1000),
                     row("native", "shared-ring", b, local + ring_fixed + ring_per_byte * b, messages=b // 4096),
                     row("native", "shared-ring, no touch", b, ring_fixed + ring_per_byte * b, touch=False,
                         messages=b // 4096)]
        if "mpi" in layers:
            send = local + sync_copies * COPY * b + 1500
            isend = send + 400 + 880 + (eager_extra if b <= EAGER else 0)
            rows += [row("mpi", "local", b, local), row("mpi", "local-memcpy", b, local + copy),
                     row("mpi", "mpi-send", b, send, send_buffers if b <= EAGER else 0),
                     row("mpi", "mpi-send, probed", b, send + 400, 0),
                     row("mpi", "mpi-isend, probed", b, isend, isend_buffers if b <= EAGER else 0)]
    return {"experiment": "bulk", "claim": "seeds/002, seeds/004", "results": rows,
            "runs": [{"label": "native", "status": "ok", "guest_instructions": 123},
                     {"label": "mpi", "status": "ok", "guest_instructions": 456}]}


def baseline(sizes=SIZES):
    """A baseline.json as scripts/ipclab baseline writes it: a ping-pong row (not bulk) and the
    bulk rows of lx_bulk and of bulk_mpi under Open MPI."""
    rows = [dict(row("linux", "pipe", 4096, 12611), experiment="baseline")]
    for b in sizes:
        local = 0.625 * b
        for layer, transport, median, messages in (
                ("linux", "local", local, 0), ("linux", "local-memcpy", local + 0.19 * b, 0),
                ("linux", "pipe", local + 0.75 * b + 9000, 1), ("linux", "unix-socket", local + 0.55 * b + 20000, 1),
                ("linux", "shm-ring", local + 0.3 * b + 9000, b // 4096), ("openmpi", "local", local, 0),
                ("openmpi", "local-memcpy", local + 0.19 * b, 0), ("openmpi", "mpi-send", local + 0.8 * b + 12000, 1)):
            rows.append(dict(row(layer, transport + "-bulk", b, median, messages=messages), experiment="baseline"))
    return {"experiment": "baseline", "context": {"linux_kernel": "6.1.0-test", "openmpi": "4.1.4"}, "results": rows,
            "runs": [{"label": "linux-guest", "status": "ok", "host_seconds": 60.0}]}


class Claims(unittest.TestCase):
    def verdicts(self, doc):
        return [c[3] for c in report_bulk.claims(doc, EAGER)]

    def test_verdicts_come_from_the_data(self):
        self.assertEqual(self.verdicts(document()), ["reproduced", "reproduced"])
        self.assertEqual(self.verdicts(document(eager_extra=20)), ["partly", "reproduced"],
                         "20 instructions is no copy of 4 KiB")
        self.assertEqual(self.verdicts(document(send_buffers=4096)), ["partly", "reproduced"],
                         "a synchronous send that leaves bytes in the kernel")
        self.assertEqual(self.verdicts(document(sync_copies=2.5)), ["partly", "reproduced"],
                         "2.5 memcpys per byte is more than one copy")
        self.assertEqual(self.verdicts(document(sync_copies=2.5, eager_extra=0, send_buffers=4096, isend_buffers=0)),
                         ["refuted", "reproduced"])
        # The ring's fixed cost eats most of the saving at 4 KiB only: 0.32 of a copy is left there.
        self.assertEqual(self.verdicts(document(ring_fixed=1500)), ["reproduced", "partly"])
        self.assertEqual(self.verdicts(document(ring_per_byte=0.3)), ["reproduced", "refuted"],
                         "a ring costing 2.4 memcpys per byte saves nothing")

    def test_missing_rows(self):
        self.assertEqual(self.verdicts({"results": []}), ["not measured", "not measured"])
        doc = document(layers=("native",))
        claim = report_bulk.claims(doc, EAGER)[0]
        self.assertEqual(claim[3], "partly", "only long IPC's copies measured")
        self.assertIn("not measured: MPI_Send's kernel buffer", claim[4])
        self.assertEqual(self.verdicts(document(layers=("mpi",)))[1], "not measured")

    def test_evidence_states_figures_and_thresholds(self):
        sync, ring = report_bulk.claims(document(), EAGER)
        self.assertIn("MPI_Send returned with 0 bytes in kernel buffers", sync[4])
        self.assertIn("left 4,256 bytes in a kernel buffer", sync[4])
        self.assertIn("kernel buffering cost 2,000 guest instructions", sync[4])
        self.assertIn("1.80 in long IPC (256 KiB to 1 MiB)", sync[4])
        self.assertIn("a saving counts from 0.5", ring[4])

    def test_eager_limit_from_the_abi(self):
        self.assertGreater(report_bulk.eager_bytes(), 0)
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "abi"))
            with open(os.path.join(d, "abi", "comm.hpp"), "w") as f:
                f.write("inline constexpr unsigned long comm_eager_bytes = 8192;\n")
            self.assertEqual(report_bulk.eager_bytes(d), 8192)
            os.remove(os.path.join(d, "abi", "comm.hpp"))
            with self.assertRaises(UserError):
                report_bulk.eager_bytes(d)

    def test_section_and_plot(self):
        doc = document()
        doc["results"].append(row("native", "local", 2048, 1200, verified=False))
        with tempfile.TemporaryDirectory() as d:
            lines = report_bulk.section(doc, d, EAGER)
            self.assertTrue(os.path.getsize(os.path.join(d, "bulk_transfer.png")) > 0)
        text = "\n".join(lines)
        self.assertIn("| layer | transport | 2K | 4K | 16K | 64K | 256K | 1M | verified |", text)
        self.assertIn("| native | local | 0.586 | 0.572 |", text)
        self.assertIn("**NO** |", text.split("| native | local |")[1].split("\n")[0])
        # in memcpys: (8045 - 2343) / (2885 - 2343) at 4 KiB; the 2 KiB column has only a local row
        self.assertIn("| mpi | mpi-isend, probed | - | 10.52 |", text)
        self.assertIn("| mpi | mpi-isend, probed | - | 4,256 | 0 |", text)
        self.assertIn("a ring of 4 KiB slots", text)
        self.assertIn("| native | ok | 123 |", text)
        self.assertEqual(text.count("**reproduced**"), 2)



class Baseline(unittest.TestCase):
    def test_bulk_rows_only_relabelled(self):
        rows = report_bulk.baseline_rows(baseline())
        self.assertEqual(len(rows), 8 * len(SIZES), "the ping-pong row is left out")
        self.assertEqual({(r["layer"], r["transport"]) for r in rows if r["bytes"] == 4096},
                         {("Linux guest", "local"), ("Linux guest", "local-memcpy"), ("Linux guest", "pipe"),
                          ("Linux guest", "unix-socket"), ("Linux guest", "shm-ring"), ("Open MPI", "local"),
                          ("Open MPI", "local-memcpy"), ("Open MPI", "mpi-send")})
        self.assertEqual(report_bulk.baseline_rows(None), [])

    def test_section_shows_them_and_keeps_the_verdicts(self):
        doc = document()
        with tempfile.TemporaryDirectory() as d:
            alone = report_bulk.section(doc, d, EAGER)
            with open(os.path.join(d, "baseline.json"), "w", encoding="utf-8") as f:
                json.dump(baseline(), f)
            lines = report_bulk.section(doc, d, EAGER)  # reads d/baseline.json
            self.assertTrue(os.path.getsize(os.path.join(d, "bulk_transfer.png")) > 0)
            self.assertEqual(lines, report_bulk.section(doc, d, EAGER, baseline()))
        self.assertEqual(report_bulk.section(doc, tempfile.gettempdir(), EAGER, {}), alone)
        text = "\n".join(lines)
        claims = [l for l in lines if l.startswith("| Synchronous") or l.startswith("| Shared memory")]
        self.assertEqual(claims, [l for l in alone if l in claims], "the verdicts do not change")
        self.assertEqual(text.count("**reproduced**"), 2)
        # (0.625 * 4096 + 0.75 * 4096 + 9000) / 4096, after ipclab's layers, in ORDER
        self.assertIn("| Linux guest | pipe | 3.572 |", text)
        order = [l.split(" | ")[1] for l in lines if l.startswith("| Linux guest |")][:5]
        self.assertEqual(order, ["pipe", "unix-socket", "shm-ring", "local", "local-memcpy"])
        self.assertLess(text.index("| mpi | local-memcpy |"), text.index("| Linux guest | pipe |"))
        self.assertIn("| Open MPI | mpi-send | 4.354 |", text)
        # in memcpys: (14632 - 2560) / (3338 - 2560), the medians being whole instructions
        self.assertIn("| Linux guest | pipe | 15.52 |", text)
        self.assertIn("a Linux 6.1.0-test guest", text)
        self.assertIn("4 KiB slots in POSIX shared memory", text)
        self.assertIn("Open MPI 4.1.4's `mpi-send`", text)
        self.assertIn("| linux-guest | ok | - |", text)
        self.assertNotIn("| Open MPI | mpi-send |", text.split("Bytes in kernel buffers")[1].split("| claim |")[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
