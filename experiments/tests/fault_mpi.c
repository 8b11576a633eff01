/* Fault injection, MPI layer (tests/qemu/test_fault_injection.py, docs/fault-injection.md):
 * rank 0 is the victim the run description's `kill` line ends while it blocks in the
 * communicator; rank 1 its partner, which prints the error class each of its calls returned.
 * Errors return (MPI_ERRORS_RETURN) unless the last argument is "fatal".
 * usage: fault_mpi comm_send|comm_recv|comm_wait [any]   (2 ranks; "any": rank 1 ends with a
 *                                                           receive from MPI_ANY_SOURCE)
 *        fault_mpi collective ITERATIONS [fatal]        (any number of ranks)
 * Every line: {"type":"op","rank":R,"case":C,"op":O,"error":CLASS,"error_name":N,"at":INSTR,...};
 * a victim whose call returns prints "survived":true and exits 1. In "collective" every rank
 * that gets an error prints {"type":"collective","rank":R,"iteration":I,"call":C,"error":E,...}
 * and stops; a rank that finishes prints "completed":true. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LONG_BYTES 65536

static const char* the_case = "";
static int rank;
static unsigned char buffer[LONG_BYTES];

static unsigned long long now(void) { return __builtin_ia32_rdtsc(); }

static const char* error_name(int e) {
    switch (e) {
    case MPI_SUCCESS: return "MPI_SUCCESS";
    case MPIX_ERR_PROC_FAILED: return "MPIX_ERR_PROC_FAILED";
    case MPIX_ERR_TIMEOUT: return "MPIX_ERR_TIMEOUT";
    case MPIX_ERR_SEND_ABORTED: return "MPIX_ERR_SEND_ABORTED";
    default: return "other";
    }
}

static void report(const char* op, int e, const char* extra) {
    printf("{\"type\":\"op\",\"rank\":%d,\"case\":\"%s\",\"op\":\"%s\",\"error\":%d,\"error_name\":\"%s\",\"at\":%llu%s}\n",
           rank, the_case, op, e, error_name(e), now(), extra);
    fflush(stdout);
}

static int survived(const char* op, int e) {
    printf("{\"type\":\"op\",\"rank\":%d,\"case\":\"%s\",\"op\":\"%s\",\"error\":%d,\"survived\":true}\n", rank,
           the_case, op, e);
    return 1;
}

/* Whether every byte of the buffer is still `b`. */
static const char* untouched(unsigned char b) {
    for (int i = 0; i < LONG_BYTES; ++i)
        if (buffer[i] != b) return ",\"buffer_untouched\":false";
    return ",\"buffer_untouched\":true";
}

static int victim(void) {
    if (!strcmp(the_case, "comm_send")) { /* a 64 KiB send nobody receives yet */
        memset(buffer, 0x5a, sizeof buffer);
        return survived("MPI_Send", MPI_Send(buffer, LONG_BYTES, MPI_BYTE, 1, 1, MPI_COMM_WORLD));
    }
    if (!strcmp(the_case, "comm_recv")) { /* rank 1's send (tag 2) is queued; we want tag 1 */
        int v = 0;
        return survived("MPI_Recv", MPI_Recv(&v, 1, MPI_INT, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    }
    if (!strcmp(the_case, "comm_wait")) { /* an eager message left behind, a receive pending */
        int v = 333, w = 0;
        MPI_Request sent, received;
        report("MPI_Isend", MPI_Isend(&v, 1, MPI_INT, 1, 3, MPI_COMM_WORLD, &sent), "");
        report("MPI_Irecv", MPI_Irecv(&w, 1, MPI_INT, 1, 1, MPI_COMM_WORLD, &received), "");
        return survived("MPI_Wait", MPI_Wait(&received, MPI_STATUS_IGNORE));
    }
    printf("fault_mpi: unknown case '%s'\n", the_case);
    return 2;
}

static int partner(int any) {
    int v = 0;
    if (!strcmp(the_case, "comm_send")) {
        memset(buffer, 0xa5, sizeof buffer);
        int e = MPI_Recv(buffer, LONG_BYTES, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        report("MPI_Recv", e, untouched(0xa5));
        report("MPI_Send", MPI_Send(&v, 1, MPI_INT, 0, 1, MPI_COMM_WORLD), "");
    } else if (!strcmp(the_case, "comm_recv")) { /* blocked in a send to the victim when it dies */
        v = 7;
        report("MPI_Send", MPI_Send(&v, 1, MPI_INT, 0, 2, MPI_COMM_WORLD), "");
        report("MPI_Send", MPI_Send(&v, 1, MPI_INT, 0, 2, MPI_COMM_WORLD), "");
    } else if (!strcmp(the_case, "comm_wait")) {
        report("MPI_Send", MPI_Send(&v, 1, MPI_INT, 0, 2, MPI_COMM_WORLD), "");
        char extra[32];
        int e = MPI_Recv(&v, 1, MPI_INT, 0, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        snprintf(extra, sizeof extra, ",\"value\":%d", v);
        report("MPI_Recv", e, extra); /* the eager message outlives its sender */
        report("MPI_Recv", MPI_Recv(&v, 1, MPI_INT, 0, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "");
    } else {
        printf("fault_mpi: unknown case '%s'\n", the_case);
        return 2;
    }
    if (any) { /* nothing tells a receive from any source that no sender is left */
        printf("{\"type\":\"blocking_forever\",\"rank\":%d,\"op\":\"MPI_Recv(MPI_ANY_SOURCE)\"}\n", rank);
        fflush(stdout);
        report("MPI_Recv_any", MPI_Recv(&v, 1, MPI_INT, MPI_ANY_SOURCE, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "");
    }
    return 0;
}

/* MPI_Allreduce and MPI_Bcast in a loop; the kill lands in one of the victim's receives. */
static int collective(int iterations) {
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 0; i < iterations; ++i) {
        long mine = rank + i, sum = 0, token = rank == i % size ? 1000 + i : -1;
        const char* call = "MPI_Allreduce";
        int e = MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
        if (e == MPI_SUCCESS && sum != (long)size * (size - 1) / 2 + (long)size * i) {
            printf("{\"type\":\"collective\",\"rank\":%d,\"iteration\":%d,\"wrong_sum\":%ld}\n", rank, i, sum);
            return 1;
        }
        if (e == MPI_SUCCESS) {
            call = "MPI_Bcast";
            e = MPI_Bcast(&token, 1, MPI_LONG, i % size, MPI_COMM_WORLD);
        }
        if (e != MPI_SUCCESS) {
            printf("{\"type\":\"collective\",\"rank\":%d,\"iteration\":%d,\"call\":\"%s\",\"error\":%d,"
                   "\"error_name\":\"%s\",\"at\":%llu}\n",
                   rank, i, call, e, error_name(e), now());
            return 0; /* gives up: the ranks waiting for it learn it from its end */
        }
    }
    printf("{\"type\":\"collective\",\"rank\":%d,\"iterations\":%d,\"completed\":true}\n", rank, iterations);
    MPI_Finalize();
    return 0;
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (argc < 2) {
        printf("usage: fault_mpi CASE [ARG] [fatal]\n");
        return 2;
    }
    the_case = argv[1];
    if (strcmp(argv[argc - 1], "fatal") != 0) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (!strcmp(the_case, "collective")) return collective(argc > 2 ? atoi(argv[2]) : 100);
    return rank == 0 ? victim() : partner(argc > 2 && !strcmp(argv[2], "any"));
}
