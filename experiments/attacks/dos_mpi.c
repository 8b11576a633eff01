/* dos-flood over MPI (docs/attacks.md): an attacker floods non-blocking sends at a server
 * that never receives them, while two clients keep doing round trips, one with that server
 * and one with another.
 *
 * usage: attack_dos_mpi [--rounds N] [--limit N] [--bytes B]    (5 ranks)
 *   rank 0: server A, receives only from rank 2 (by explicit source: never the flood)
 *   rank 1: server B, receives only from rank 3
 *   rank 2, 3: clients of A and B: --rounds round trips of 8 bytes before the flood, then
 *           round trips until the attacker is done (at least --rounds, at most 20000), then
 *           a few operations that need kernel memory (MPI_Irecv + MPI_Cancel,
 *           MPI_Comm_dup of MPI_COMM_SELF), then stop their server
 *   rank 4: the attacker: once both clients have measured, MPI_Isend of --bytes (default
 *           4096, the largest eager message) to rank 0 with a tag nobody receives, until the
 *           first error or --limit sends (default 200000); then tells the clients
 * Every rank prints its attack line; the attacker also its samples of MPIX_Buffer_usage. */
#include <stdlib.h>
#include <string.h>

#include "experiments/attacks/attack_mpi.h"

enum { SERVER_A, SERVER_B, CLIENT_A, CLIENT_B, ATTACKER, RANKS };
enum { TAG_REQUEST = 1, TAG_STOP, TAG_READY, TAG_DONE, TAG_PROBE, TAG_FLOOD = 999 };
#define MAX_DURING 20000
#define MEMORY_PROBES 4

static char name[16];
static uint64_t before[MAX_DURING], during[MAX_DURING];
static char flood[4096];

static void server(int client) {
    atk_errors errors = {0};
    unsigned long long received = 0;
    char buffer[8];
    for (long i = 0; i < 10L * MAX_DURING + 100; ++i) { /* bounded: the client sends fewer */
        MPI_Status st;
        if (atk_mpi_check(&errors,
                          MPI_Recv(buffer, 8, MPI_BYTE, client, MPI_ANY_TAG, MPI_COMM_WORLD, &st)))
            break;
        if (st.MPI_TAG == TAG_STOP) break;
        ++received;
        if (atk_mpi_check(&errors,
                          MPI_Send(buffer, 8, MPI_BYTE, client, TAG_REQUEST, MPI_COMM_WORLD)))
            break;
    }
    /* It never receives from the attacker: no violations. */
    atk_print_server("dos-flood", "mpi", name, received, 0, errors.kinds ? errors.name[0] : "ok",
                     &errors);
}

/* One 8-byte round trip with `server`; its cost in guest instructions, or 0 if it failed. */
static uint64_t round_trip(int server, atk_errors* errors) {
    char out[8] = "request", in[8];
    uint64_t t0 = bench_rdtsc();
    if (atk_mpi_check(errors, MPI_Send(out, 8, MPI_BYTE, server, TAG_REQUEST, MPI_COMM_WORLD)))
        return 0;
    if (atk_mpi_check(errors, MPI_Recv(in, 8, MPI_BYTE, server, TAG_REQUEST, MPI_COMM_WORLD,
                                       MPI_STATUS_IGNORE)))
        return 0;
    return bench_rdtsc() - t0;
}

/* Operations that need kernel memory; returns how many failed. */
static unsigned long long probe_kernel_memory(int server, atk_errors* errors) {
    unsigned long long failed = 0;
    char buffer[8];
    for (int i = 0; i < MEMORY_PROBES; ++i) {
        MPI_Request r;
        if (atk_mpi_check(errors,
                          MPI_Irecv(buffer, 8, MPI_BYTE, server, TAG_PROBE, MPI_COMM_WORLD, &r))) {
            ++failed;
        } else {
            failed += atk_mpi_check(errors, MPI_Cancel(&r)) != 0;
            failed += atk_mpi_check(errors, MPI_Wait(&r, MPI_STATUS_IGNORE)) != 0;
        }
        MPI_Comm dup;
        if (atk_mpi_check(errors, MPI_Comm_dup(MPI_COMM_SELF, &dup)))
            ++failed;
        else
            failed += atk_mpi_check(errors, MPI_Comm_free(&dup)) != 0;
    }
    return failed;
}

static void client(int server, long rounds) {
    atk_errors errors = {0};
    unsigned long long failed = 0;
    size_t n_before = 0, n_during = 0;
    for (long i = 0; i < rounds; ++i) {
        uint64_t t = round_trip(server, &errors);
        if (t)
            before[n_before++] = t;
        else
            ++failed;
    }
    char token = 0;
    failed += atk_mpi_check(
                  &errors, MPI_Send(&token, 1, MPI_BYTE, ATTACKER, TAG_READY, MPI_COMM_WORLD)) != 0;
    int done = 0;
    for (long i = 0; i < MAX_DURING && !(done && i >= rounds); ++i) {
        uint64_t t = round_trip(server, &errors);
        if (t)
            during[n_during++] = t;
        else
            ++failed;
        if (!done) {
            int flag = 0;
            failed += atk_mpi_check(&errors, MPI_Iprobe(ATTACKER, TAG_DONE, MPI_COMM_WORLD, &flag,
                                                        MPI_STATUS_IGNORE)) != 0;
            if (flag) {
                failed += atk_mpi_check(&errors, MPI_Recv(&token, 1, MPI_BYTE, ATTACKER, TAG_DONE,
                                                          MPI_COMM_WORLD, MPI_STATUS_IGNORE)) != 0;
                done = 1;
            }
        }
    }
    if (!done)
        failed += atk_mpi_check(&errors, MPI_Recv(&token, 1, MPI_BYTE, ATTACKER, TAG_DONE,
                                                  MPI_COMM_WORLD, MPI_STATUS_IGNORE)) != 0;
    failed += probe_kernel_memory(server, &errors);
    failed += atk_mpi_check(&errors,
                            MPI_Send(&token, 1, MPI_BYTE, server, TAG_STOP, MPI_COMM_WORLD)) != 0;
    const atk_round_trips rt = {n_before, n_during, atk_median_of(before, n_before),
                                atk_median_of(during, n_during)};
    atk_print_client("dos-flood", "mpi", name, &rt, failed, &errors);
}

static void attacker(long limit, int bytes) {
    static atk_sampler samples;
    atk_errors errors = {0};
    unsigned long long attempts = 0, accepted = 0;
    const char* stopped_by = "limit";
    char token = 0;
    memset(flood, 0x5a, sizeof flood);
    for (int c = CLIENT_A; c <= CLIENT_B; ++c) /* both clients have measured without the flood */
        atk_mpi_check(&errors, MPI_Recv(&token, 1, MPI_BYTE, c, TAG_READY, MPI_COMM_WORLD,
                                        MPI_STATUS_IGNORE));
    while (attempts < (unsigned long long)limit) {
        MPI_Request r;
        ++attempts;
        int c = atk_mpi_check(
            &errors, MPI_Isend(flood, bytes, MPI_BYTE, SERVER_A, TAG_FLOOD, MPI_COMM_WORLD, &r));
        if (c) {
            stopped_by = atk_mpi_error_name(c);
            break;
        }
        ++accepted;
        int complete = 0; /* eager sends complete at once; anything else is left to the kernel */
        MPI_Test(&r, &complete, MPI_STATUS_IGNORE);
        if (!complete) MPI_Request_free(&r);
        if (atk_sample_due(&samples, accepted)) {
            long long now = 0, peak = 0;
            MPIX_Buffer_usage(&now, &peak);
            atk_sample(&samples, bench_rdtsc(), accepted, (unsigned long long)now);
        }
    }
    long long now = 0, peak = 0;
    MPIX_Buffer_usage(&now, &peak);
    for (int c = CLIENT_A; c <= CLIENT_B; ++c)
        atk_mpi_check(&errors, MPI_Send(&token, 1, MPI_BYTE, c, TAG_DONE, MPI_COMM_WORLD));
    atk_print_samples(&samples, "dos-flood", "mpi");
    atk_print_attacker("dos-flood", "mpi", name, attempts, accepted, &errors,
                       (unsigned long long)peak, stopped_by);
}

int main(int argc, char** argv) {
    const int rank = atk_mpi_init(&argc, &argv, name, sizeof name);
    long rounds = 200, limit = 200000;
    int bytes = 4096, size = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--rounds"))
            rounds = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--limit"))
            limit = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--bytes"))
            bytes = (int)strtol(argv[i + 1], NULL, 10);
    }
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != RANKS || rounds < 1 || rounds > MAX_DURING || limit < 1 || bytes < 1 ||
        bytes > (int)sizeof flood) {
        fprintf(stderr,
                "attack_dos_mpi: needs %d ranks, --rounds 1..%d, --limit >= 1, --bytes 1..%zu\n",
                RANKS, MAX_DURING, sizeof flood);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (rank == SERVER_A || rank == SERVER_B)
        server(rank + 2);
    else if (rank == CLIENT_A || rank == CLIENT_B)
        client(rank - 2, rounds);
    else
        attacker(limit, bytes);
    MPI_Finalize();
    return 0;
}
