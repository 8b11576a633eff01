// spoof over MPI (docs/attacks.md): a rank tries to send under another rank's identity. A
// rank is the badge of the task's communicator capability (docs/mpi.md), so besides
// claiming another rank in its payload the attacker tries to re-badge that capability with
// the raw cap_derive system call (this program is C++ only for runtime/include/ipclab).
//
// usage: attack_spoof_mpi [--tries N]   (3 ranks)
//   rank 0: the server: receives from MPI_ANY_SOURCE until the client's end mark; every
//           payload names its true author (the measurement's own honest mark, not a claim),
//           and a message whose MPI_SOURCE is not its author is a violation
//   rank 1: the client whose identity the attacker claims: once the attacker is done, N
//           messages and the end mark
//   rank 2: the attacker: MPI_Send's claiming rank 1 in the payload; cap_derive of
//           MPI_COMM_WORLD's capability (slot 1) with badge 1 (rank 1), and if the kernel
//           allowed it, comm_send through the copy; cap_derive of a plain copy (its own
//           badge) and comm_send through that
#include <stdlib.h>
#include <string.h>

#include "abi/comm.hpp"
#include "experiments/attacks/attack_mpi.h"
#include "ipclab/ipc.hpp"

namespace {

enum { SERVER, CLIENT, ATTACKER };
enum { TAG_MESSAGE = 1, TAG_END, TAG_DONE };
constexpr uint64_t slot_rebadged = 40,
                   slot_copy = 41; // free: the library starts at 16 and made one

struct Payload {
    int author;  ///< who really sent it (the experiment's bookkeeping)
    int claimed; ///< who the message says it is from
};

char name[16];

void server() {
    atk_errors errors{};
    unsigned long long received = 0, violations = 0;
    for (int i = 0; i < 10000; ++i) { // bounded: the others send fewer
        Payload p{};
        MPI_Status st;
        if (atk_mpi_check(&errors, MPI_Recv(&p, sizeof p, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG,
                                            MPI_COMM_WORLD, &st)))
            break;
        if (st.MPI_SOURCE == CLIENT && st.MPI_TAG == TAG_END) break;
        ++received;
        violations += st.MPI_SOURCE != p.author;
    }
    atk_line l;
    atk_begin(&l, "spoof", "mpi", "server", name);
    atk_count(&l, "received", received);
    atk_count(&l, "violations", violations);
    atk_string(&l, "result", "ok");
    atk_error_field(&l, &errors);
    atk_end(&l);
}

void client(int tries) {
    atk_errors errors{};
    unsigned long long failed = 0;
    int token = 0;
    failed += atk_mpi_check(&errors, MPI_Recv(&token, 1, MPI_INT, ATTACKER, TAG_DONE,
                                              MPI_COMM_WORLD, MPI_STATUS_IGNORE)) != 0;
    Payload p{CLIENT, CLIENT};
    for (int i = 0; i <= tries; ++i)
        failed += atk_mpi_check(&errors,
                                MPI_Send(&p, sizeof p, MPI_BYTE, SERVER,
                                         i < tries ? TAG_MESSAGE : TAG_END, MPI_COMM_WORLD)) != 0;
    atk_line l;
    atk_begin(&l, "spoof", "mpi", "client", name);
    atk_count(&l, "round_trips_before", 0);
    atk_count(&l, "round_trips_during", 0);
    atk_count(&l, "failed", failed);
    atk_error_field(&l, &errors);
    atk_end(&l);
}

/// comm_send of `p` to the server through the communicator capability in `slot`.
ipclab::Status raw_send(uint64_t slot, const Payload& p) {
    ipclab::Syscall_registers r;
    r.r[0] = slot;
    r.r[1] = SERVER;
    r.r[2] = TAG_MESSAGE;
    r.r[3] = reinterpret_cast<uint64_t>(&p);
    r.r[4] = sizeof p;
    r.r[5] = ipclab::context_point_to_point;
    return ipclab::sys::comm_send(r);
}

void attacker(int tries) {
    atk_errors errors{};
    unsigned long long attempts = 0, accepted = 0;
    auto tried = [&](ipclab::Status s) {
        ++attempts;
        if (s == ipclab::Status::ok)
            ++accepted;
        else
            atk_error(&errors, ipclab::status_name(s));
        return s == ipclab::Status::ok;
    };
    const Payload claim{ATTACKER, CLIENT};
    for (int i = 0; i < tries; ++i, ++attempts) // the claim in the payload only
        accepted += !atk_mpi_check(
            &errors, MPI_Send(&claim, sizeof claim, MPI_BYTE, SERVER, TAG_MESSAGE, MPI_COMM_WORLD));
    const uint64_t rights = ipclab::right_send | ipclab::right_receive;
    if (tried(ipclab::cap_derive(ipclab::slot_comm_world, slot_rebadged, rights,
                                 CLIENT))) // re-badge: rank 1
        tried(raw_send(slot_rebadged, claim));
    if (tried(ipclab::cap_derive(ipclab::slot_comm_world, slot_copy, rights,
                                 0))) // a copy, its own badge
        tried(raw_send(slot_copy, claim));
    int token = 0;
    atk_mpi_check(&errors, MPI_Send(&token, 1, MPI_INT, CLIENT, TAG_DONE, MPI_COMM_WORLD));
    atk_line l;
    atk_begin(&l, "spoof", "mpi", "attacker", name);
    atk_count(&l, "attempts", attempts);
    atk_count(&l, "accepted", accepted);
    atk_error_field(&l, &errors);
    atk_count(&l, "buffer_peak_bytes", 0);
    atk_string(&l, "stopped_by", "limit");
    atk_end(&l);
}

} // namespace

int main(int argc, char** argv) {
    const int rank = atk_mpi_init(&argc, &argv, name, sizeof name);
    int tries = 8, size = 0;
    if (argc > 2 && !strcmp(argv[1], "--tries")) tries = int(strtol(argv[2], nullptr, 10));
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 3 || tries < 1 || tries > 1000) {
        fprintf(stderr, "attack_spoof_mpi: needs 3 ranks and --tries 1..1000\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (rank == SERVER)
        server();
    else if (rank == CLIENT)
        client(tries);
    else
        attacker(tries);
    MPI_Finalize();
    return 0;
}
