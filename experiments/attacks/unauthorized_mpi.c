/* unauthorized over MPI (docs/attacks.md): a rank the run's rights table denies sends to a
 * server anyway, and tries a communicator it is not a member of.
 *
 * usage: attack_unauthorized_mpi [--tries N]   (3 ranks; the run denies rank 2 -> rank 1:
 *                                              "rights": ["deny 2 1"])
 *   rank 0: the legitimate client: waits until the attacker is done, then sends N requests
 *           and an end mark to the server
 *   rank 1: the server: receives from MPI_ANY_SOURCE until the end mark; a message from
 *           rank 2 is a violation; afterwards it probes the members' communicator for
 *           anything the attacker got through
 *   rank 2: the attacker: N blocking sends to rank 1, then MPI_Send's to rank 1 on guessed
 *           handles of the communicator ranks 0 and 1 made without it (MPI_Comm_split)
 * The ranks are laid out so that no collective the program uses (MPI_Comm_split's ring,
 * MPI_Finalize's barrier) needs a send from rank 2 to rank 1. Under policies that do not
 * consult the rights table the attacker's sends are delivered. */
#include <stdlib.h>
#include <string.h>

#include "experiments/attacks/attack_mpi.h"

enum { CLIENT, SERVER, ATTACKER };
enum { TAG_REQUEST = 1, TAG_END, TAG_DONE };
#define MAX_GUESSED_HANDLE 16

static char name[16];

static void server(MPI_Comm members) {
    atk_errors errors = {0};
    unsigned long long received = 0, violations = 0;
    int payload;
    for (int i = 0; i < 10000; ++i) { /* bounded: the client and the attacker send fewer */
        MPI_Status st;
        if (atk_mpi_check(&errors, MPI_Recv(&payload, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG,
                                            MPI_COMM_WORLD, &st)))
            break;
        if (st.MPI_SOURCE == CLIENT && st.MPI_TAG == TAG_END) break;
        ++received;
        violations += st.MPI_SOURCE == ATTACKER;
    }
    /* Whatever reached the members' communicator: the client sends nothing there. */
    const unsigned long long strays = atk_mpi_drain(members, MPI_ANY_TAG, &errors);
    atk_print_server("unauthorized", "mpi", name, received + strays, violations + strays, "ok",
                     &errors);
}

static void client(int tries) {
    const int request = 0;
    atk_mpi_client("unauthorized", name, ATTACKER, TAG_DONE, &request, 1, MPI_INT, SERVER,
                   TAG_REQUEST, TAG_END, tries);
}

static void attacker(int tries) {
    atk_tally t = {0};
    /* Blocking sends: each returns once the server has the message, or fails at once. */
    for (int i = 0; i < tries; ++i)
        atk_mpi_tried(&t, MPI_Send(&i, 1, MPI_INT, SERVER, TAG_REQUEST, MPI_COMM_WORLD));
    /* Handles of a communicator it is not in: the members' MPI_Comm_split result is a small
     * integer in their processes (docs/mpi.md: handles are small integers, as in MPICH). */
    for (int h = 0; h <= MAX_GUESSED_HANDLE; ++h) {
        if (h == MPI_COMM_WORLD || h == MPI_COMM_SELF) continue;
        int payload = h; /* in the members' communicator the server is rank 1 */
        atk_mpi_tried(&t, MPI_Send(&payload, 1, MPI_INT, 1, TAG_REQUEST, (MPI_Comm)h));
    }
    atk_mpi_done(CLIENT, TAG_DONE, &t.errors);
    atk_print_attacker("unauthorized", "mpi", name, t.attempts, t.accepted, &t.errors, 0, "limit");
}

int main(int argc, char** argv) {
    const int rank = atk_mpi_init(&argc, &argv, name, sizeof name);
    int tries = 8, size = 0;
    if (argc > 2 && !strcmp(argv[1], "--tries")) tries = (int)strtol(argv[2], NULL, 10);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 3 || tries < 1 || tries > 1000) {
        fprintf(stderr, "attack_unauthorized_mpi: needs 3 ranks and --tries 1..1000\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    MPI_Comm members = MPI_COMM_NULL; /* ranks 0 and 1 only */
    MPI_Comm_split(MPI_COMM_WORLD, rank == ATTACKER ? MPI_UNDEFINED : 0, rank, &members);
    if (rank == SERVER)
        server(members);
    else if (rank == CLIENT)
        client(tries);
    else
        attacker(tries);
    if (members != MPI_COMM_NULL) MPI_Comm_free(&members);
    MPI_Finalize();
    return 0;
}
