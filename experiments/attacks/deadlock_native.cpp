// deadlock over native IPC (docs/attacks.md): two tasks ipc_call each other's endpoint.
// Neither receives, so both wait for good (infinite timeout) or both calls fail with
// timed_out (--timeout-ns), and each task prints its line.
// usage: attack_deadlock_native NAME [--timeout-ns N]
//            slot 2: the other task's endpoint (send), slot 3: its own endpoint (receive,
//            never used)
#include <stdlib.h>
#include <string.h>

#include "experiments/attacks/attack_report.h"
#include "ipclab/ipc.hpp"

using namespace ipclab;

int main(int argc, char** argv) {
    uint64_t timeout = timeout_infinite;
    for (int i = 2; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "--timeout-ns")) timeout = strtoull(argv[i + 1], nullptr, 10);
    if (argc < 2 || timeout == 0)
        return fprintf(stderr, "usage: attack_deadlock_native NAME [--timeout-ns N>0]\n"), 2;
    atk_errors errors{};
    uint64_t t0 = bench_rdtsc();
    Received r = ipc_call(2, Message{Message_tag{1, 1}, {1}}, timeout);
    uint64_t blocked = bench_rdtsc() - t0;
    if (r.status != Status::ok) atk_error(&errors, status_name(r.status));
    atk_print_victim("deadlock", "native", argv[1], r.status == Status::ok, status_name(r.status),
                     blocked, &errors);
    return 0;
}
