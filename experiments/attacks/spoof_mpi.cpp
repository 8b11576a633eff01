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
#include "experiments/attacks/attack_native.hpp"

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
    atk_print_server("spoof", "mpi", name, received, violations, "ok", &errors);
}

void client(int tries) {
    const Payload p{CLIENT, CLIENT};
    atk_mpi_client("spoof", name, ATTACKER, TAG_DONE, &p, sizeof p, MPI_BYTE, SERVER, TAG_MESSAGE,
                   TAG_END, tries);
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
    atk_tally t{};
    const Payload claim{ATTACKER, CLIENT};
    for (int i = 0; i < tries; ++i) // the claim in the payload only
        atk_mpi_tried(
            &t, MPI_Send(&claim, sizeof claim, MPI_BYTE, SERVER, TAG_MESSAGE, MPI_COMM_WORLD));
    const uint64_t rights = ipclab::right_send | ipclab::right_receive;
    if (atk_tried(&t, ipclab::cap_derive(ipclab::slot_comm_world, slot_rebadged, rights,
                                         CLIENT))) // re-badge: rank 1
        atk_tried(&t, raw_send(slot_rebadged, claim));
    if (atk_tried(&t, ipclab::cap_derive(ipclab::slot_comm_world, slot_copy, rights,
                                         0))) // a copy, its own badge
        atk_tried(&t, raw_send(slot_copy, claim));
    atk_mpi_done(CLIENT, TAG_DONE, &t.errors);
    atk_print_attacker("spoof", "mpi", name, t.attempts, t.accepted, &t.errors, 0, "limit");
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
