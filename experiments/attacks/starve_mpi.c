/* starve over MPI (docs/attacks.md): a blocking send whose receiver never comes.
 *
 * usage: attack_starve_mpi send        (2 ranks) rank 0, the victim, MPI_Send's to rank 1,
 *                                      which never receives it (it waits for a message on
 *                                      another tag)
 *        attack_starve_mpi reply       (3 ranks) rank 0, a server, receives a request from
 *                                      rank 1, a malicious client that never receives the
 *                                      reply, and MPI_Send's the reply; rank 2, a legitimate
 *                                      client, then asks the server too (up to 5 tries)
 *        attack_starve_mpi breakdown   (3 ranks) as "send", and rank 2, a manager, breaks
 *                                      down the sends towards rank 1 (MPIX_Comm_abort_sends)
 *                                      after about 10^7 guest instructions (up to 10 tries)
 * When the victim's send ends (timeout, abort) the victim prints its line and releases the
 * attacker (a message on the tag it waits for), which then prints its own. A victim blocked
 * for good prints nothing: with every other rank blocked too the kernel ends the run
 * (deadlock). */
#include <string.h>

#include "experiments/attacks/attack_mpi.h"

enum { VICTIM, ATTACKER, THIRD };
enum { TAG_REQUEST = 1, TAG_REPLY, TAG_RELEASE };

static char name[16];

/* The starved send: MPI_Send to `dest` (which does not receive it); returns its class and
 * how long it blocked. */
static int starved_send(int dest, int tag, atk_errors* errors, uint64_t* blocked) {
    int payload = 7;
    uint64_t t0 = bench_rdtsc();
    int code = atk_mpi_check(errors, MPI_Send(&payload, 1, MPI_INT, dest, tag, MPI_COMM_WORLD));
    *blocked = bench_rdtsc() - t0;
    return code;
}

/* The attacker's part: the victim's request (mode reply) was sent; now wait for the
 * release, never for what the victim sends it. */
static void attacker(int sent_request) {
    atk_errors errors = {0};
    int victim_result = 0;
    atk_mpi_check(&errors, MPI_Recv(&victim_result, 1, MPI_INT, VICTIM, TAG_RELEASE, MPI_COMM_WORLD,
                                    MPI_STATUS_IGNORE));
    /* One victim held; accepted: a request the server took; stopped_by: how the victim got
     * free. */
    atk_print_attacker("starve", "mpi", name, 1, (unsigned long long)sent_request, &errors, 0,
                       atk_mpi_result(victim_result));
}

static void release(int code, atk_errors* errors) {
    atk_mpi_check(errors, MPI_Send(&code, 1, MPI_INT, ATTACKER, TAG_RELEASE, MPI_COMM_WORLD));
}

static void victim_sender(void) {
    atk_errors errors = {0};
    uint64_t blocked;
    int code = starved_send(ATTACKER, TAG_REQUEST, &errors, &blocked);
    atk_print_victim("starve", "mpi", name, 0, atk_mpi_result(code), blocked, &errors);
    release(code, &errors);
}

static void victim_server(void) {
    atk_errors errors = {0};
    unsigned long long received = 0;
    uint64_t blocked = 0;
    int request = 0, code = 0;
    MPI_Status st;
    if (!atk_mpi_check(
            &errors, MPI_Recv(&request, 1, MPI_INT, ATTACKER, TAG_REQUEST, MPI_COMM_WORLD, &st))) {
        ++received;
        /* The reply, which the malicious client never takes. */
        code = starved_send(ATTACKER, TAG_REPLY, &errors, &blocked);
    }
    atk_print_victim("starve", "mpi", name, received, atk_mpi_result(code), blocked, &errors);
    release(code, &errors);
    /* Now the legitimate client: one request, one reply. */
    if (!atk_mpi_check(&errors,
                       MPI_Recv(&request, 1, MPI_INT, THIRD, TAG_REQUEST, MPI_COMM_WORLD, &st)))
        atk_mpi_check(&errors, MPI_Send(&request, 1, MPI_INT, THIRD, TAG_REPLY, MPI_COMM_WORLD));
}

static void legit_client(void) {
    atk_errors errors = {0};
    unsigned long long failed = 0;
    int request = 1, reply = 0, code = 1;
    atk_spin(1000000); /* the malicious client asks first */
    uint64_t t0 = bench_rdtsc();
    for (int i = 0; i < 5 && code; ++i) { /* a send timeout (mpi-timeout) may end a try */
        code = atk_mpi_check(&errors,
                             MPI_Send(&request, 1, MPI_INT, VICTIM, TAG_REQUEST, MPI_COMM_WORLD));
        failed += code != 0;
    }
    if (!code)
        failed += atk_mpi_check(&errors, MPI_Recv(&reply, 1, MPI_INT, VICTIM, TAG_REPLY,
                                                  MPI_COMM_WORLD, MPI_STATUS_IGNORE)) != 0;
    const atk_round_trips rt = {0, 1, ATK_NO_FIGURE, bench_rdtsc() - t0};
    atk_print_client("starve", "mpi", name, &rt, failed, &errors);
}

static void manager(void) {
    atk_errors errors = {0};
    int aborted = 0;
    for (int i = 0; i < 10 && !aborted; ++i) { /* until the victim's send is there to break down */
        atk_spin(10000000);
        atk_mpi_check(&errors, MPIX_Comm_abort_sends(MPI_COMM_WORLD, ATTACKER, &aborted));
    }
    atk_line l;
    atk_begin(&l, "starve", "mpi", "manager", name);
    atk_count(&l, "aborted", (unsigned long long)aborted);
    atk_error_field(&l, &errors);
    atk_end(&l);
}

int main(int argc, char** argv) {
    const int rank = atk_mpi_init(&argc, &argv, name, sizeof name);
    const char* mode = argc > 1 ? argv[1] : "";
    const int reply = !strcmp(mode, "reply"), breakdown = !strcmp(mode, "breakdown");
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (!(reply || breakdown || !strcmp(mode, "send")) || size != (reply || breakdown ? 3 : 2)) {
        fprintf(
            stderr,
            "usage: attack_starve_mpi send (2 ranks) | reply (3 ranks) | breakdown (3 ranks)\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (rank == VICTIM) {
        if (reply)
            victim_server();
        else
            victim_sender();
    } else if (rank == ATTACKER) {
        int request = 3;
        int sent = reply && !MPI_Send(&request, 1, MPI_INT, VICTIM, TAG_REQUEST, MPI_COMM_WORLD);
        attacker(sent);
    } else if (reply) {
        legit_client();
    } else {
        manager();
    }
    MPI_Finalize();
    return 0;
}
