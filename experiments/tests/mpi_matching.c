/* MPI matching semantics (MPI-3.1 section 3.5) on any number of ranks >= 2: fan-in with
 * MPI_ANY_SOURCE and MPI_ANY_TAG, messages from one sender never overtaking each other,
 * MPI_Get_count, MPI_PROC_NULL and barriers. Builds with any mpicc; prints one JSON line
 * from rank 0 and exits non-zero on the first violation.
 * usage: mpi_matching [MESSAGES_PER_SENDER] */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char* what, int a, int b) {
    fprintf(stderr, "mpi_matching: %s (%d, %d)\n", what, a, b);
    MPI_Abort(MPI_COMM_WORLD, 5);
    return 5;
}

int main(int argc, char** argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int per_sender = argc > 1 ? atoi(argv[1]) : 20;
    if (size < 2 || per_sender < 1) return fail("needs 2 or more ranks and a positive count", size, per_sender);

    /* Fan-in: every other rank sends per_sender messages of (sequence, payload[]) with tag
     * = 100 + sequence % 3 and a length that varies with the sequence. */
    if (rank != 0) {
        int msg[9];
        for (int seq = 0; seq < per_sender; ++seq) {
            int words = 1 + seq % 8;
            msg[0] = seq;
            for (int i = 1; i < words; ++i) msg[i] = rank * 1000 + seq * 10 + i;
            MPI_Send(msg, words, MPI_INT, 0, 100 + seq % 3, MPI_COMM_WORLD);
        }
    } else {
        int* next = calloc((size_t)size, sizeof *next);
        int msg[9];
        for (int n = 0; n < per_sender * (size - 1); ++n) {
            MPI_Status st;
            MPI_Recv(msg, 9, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
            int count, src = st.MPI_SOURCE, seq = msg[0];
            MPI_Get_count(&st, MPI_INT, &count);
            if (src < 1 || src >= size) return fail("bad MPI_SOURCE", src, size);
            if (seq != next[src]) return fail("message overtook another from the same sender", seq, next[src]);
            if (st.MPI_TAG != 100 + seq % 3) return fail("wrong MPI_TAG", st.MPI_TAG, seq);
            if (count != 1 + seq % 8) return fail("wrong MPI_Get_count", count, seq);
            for (int i = 1; i < count; ++i)
                if (msg[i] != src * 1000 + seq * 10 + i) return fail("corrupt payload", src, seq);
            next[src]++;
        }
        free(next);
    }
    MPI_Barrier(MPI_COMM_WORLD);

    /* A receive for one source and tag takes only that message, whatever else is pending:
     * rank 1 sends tag 7 then tag 8; rank 0 asks for them by tag in sending order. */
    if (rank == 1) {
        int a = 7, b = 8;
        MPI_Send(&a, 1, MPI_INT, 0, 7, MPI_COMM_WORLD);
        MPI_Send(&b, 1, MPI_INT, 0, 8, MPI_COMM_WORLD);
    } else if (rank == 0) {
        int v;
        MPI_Status st;
        MPI_Recv(&v, 1, MPI_INT, 1, 7, MPI_COMM_WORLD, &st);
        if (v != 7 || st.MPI_TAG != 7) return fail("tag 7 receive", v, st.MPI_TAG);
        MPI_Recv(&v, 1, MPI_INT, 1, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        if (v != 8 || st.MPI_TAG != 8) return fail("any-tag receive", v, st.MPI_TAG);
    }

    /* MPI_PROC_NULL: sends and receives complete at once, status says so. */
    int dummy = 42;
    MPI_Status st;
    MPI_Send(&dummy, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_WORLD);
    MPI_Recv(&dummy, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_WORLD, &st);
    int count;
    MPI_Get_count(&st, MPI_INT, &count);
    if (st.MPI_SOURCE != MPI_PROC_NULL || st.MPI_TAG != MPI_ANY_TAG || count != 0 || dummy != 42)
        return fail("MPI_PROC_NULL receive", st.MPI_SOURCE, count);

    for (int i = 0; i < 5; ++i) MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) printf("{\"type\":\"mpi_matching\",\"ranks\":%d,\"messages\":%d,\"ok\":true}\n", size,
                          per_sender * (size - 1));
    MPI_Finalize();
    return 0;
}
