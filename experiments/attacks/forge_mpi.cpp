// forge over MPI (docs/attacks.md): a rank guesses capability slots and MPI_Comm handles it
// was never given, hoping to reach the communicator the other ranks made without it. The
// slots are probed with the raw system calls (C++ only for runtime/include/ipclab).
//
// usage: attack_forge_mpi [--given LIST]   (3 ranks)
//   rank 0: the server: after the attacker is done, takes whatever reached it on the
//           members' communicator or on MPI_COMM_WORLD under the forge tag (violations)
//   rank 1: the other member of the members' communicator (MPI_Comm_split without rank 2)
//   rank 2: the attacker: on every slot 1..255 not in LIST (default "1,16": MPI_COMM_WORLD
//           from the run description, MPI_COMM_SELF which MPI_Init puts in the library's
//           first slot, docs/mpi.md) cap_info, comm_info and comm_probe with a zero timeout;
//           on every handle 0..64 but MPI_COMM_WORLD and MPI_COMM_SELF, MPI_Comm_size and
//           MPI_Iprobe, and MPI_Send to rank 0 under the forge tag
#include <stdlib.h>
#include <string.h>

#include "abi/comm.hpp"
#include "experiments/attacks/attack_mpi.h"
#include "experiments/attacks/attack_native.hpp"

namespace {

enum { SERVER, MEMBER, ATTACKER };
enum { TAG_FORGE = 66, TAG_DONE };
constexpr int max_guessed_handle = 64;

char name[16];

void server(MPI_Comm members) {
    atk_errors errors{};
    int token = 0;
    atk_mpi_check(&errors, MPI_Recv(&token, 1, MPI_INT, ATTACKER, TAG_DONE, MPI_COMM_WORLD,
                                    MPI_STATUS_IGNORE));
    unsigned long long got = atk_mpi_drain(members, TAG_FORGE, &errors) +
                             atk_mpi_drain(MPI_COMM_WORLD, TAG_FORGE, &errors);
    atk_print_server("forge", "mpi", name, got, got, "ok", &errors);
}

void member() {
    atk_errors errors{};
    atk_line l;
    atk_begin(&l, "forge", "mpi", "client", name);
    atk_count(&l, "failed", 0);
    atk_error_field(&l, &errors);
    atk_end(&l);
}

void attacker(const char* given) {
    unsigned char mine[ipclab::cap_slots] = {};
    atk_parse_slots(given, mine, ipclab::cap_slots);
    atk_tally t{};
    for (uint64_t slot = 1; slot < ipclab::cap_slots; ++slot) {
        if (mine[slot]) continue;
        atk_probed(&t, ipclab::cap_info(slot).status);
        ipclab::Syscall_registers r;
        r.r[0] = slot;
        atk_probed(&t, ipclab::sys::comm_info(r));
        r = ipclab::Syscall_registers{};
        r.r[0] = slot;
        r.r[1] = uint64_t(ipclab::comm_any_source);
        r.r[2] = uint64_t(ipclab::comm_any_tag);
        r.r[5] = ipclab::context_point_to_point;
        r.timeout = ipclab::timeout_zero;
        atk_probed(&t, ipclab::sys::comm_probe(r));
    }
    for (int h = 0; h <= max_guessed_handle; ++h) {
        if (h == MPI_COMM_WORLD || h == MPI_COMM_SELF) continue;
        const MPI_Comm guess = MPI_Comm(h);
        int size = 0, flag = 0, payload = h;
        atk_mpi_tried(&t, MPI_Comm_size(guess, &size));
        atk_mpi_tried(&t, MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, guess, &flag, MPI_STATUS_IGNORE));
        atk_mpi_tried(&t, MPI_Send(&payload, 1, MPI_INT, SERVER, TAG_FORGE, guess));
    }
    atk_mpi_done(SERVER, TAG_DONE, &t.errors);
    atk_print_attacker("forge", "mpi", name, t.attempts, t.accepted, &t.errors, 0, "limit");
}

} // namespace

int main(int argc, char** argv) {
    const int rank = atk_mpi_init(&argc, &argv, name, sizeof name);
    const char* given = argc > 2 && !strcmp(argv[1], "--given") ? argv[2] : "1,16";
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 3) {
        fprintf(stderr, "attack_forge_mpi: needs 3 ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    MPI_Comm members = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, rank == ATTACKER ? MPI_UNDEFINED : 0, rank, &members);
    if (rank == SERVER)
        server(members);
    else if (rank == MEMBER)
        member();
    else
        attacker(given);
    if (members != MPI_COMM_NULL) MPI_Comm_free(&members);
    MPI_Finalize();
    return 0;
}
