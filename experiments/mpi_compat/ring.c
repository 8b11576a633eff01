/* MPI_Sendrecv rings (MPI-3.1 section 3.10): every rank sends to (r + k) % p and receives from
 * (r - k + p) % p at once, for every shift k, several rounds and sizes from 0 bytes to 64 KiB.
 * MPI_Sendrecv must not deadlock even where MPI_Send is synchronous; the last part shifts with
 * explicit MPI_Ssend ordered by parity, which is deadlock-free by construction. Any size >= 2. */
#include <stdlib.h>

#include "check.h"

enum { ROUNDS = 3, MAX_BYTES = 65536 };

static unsigned char byte_of(int src, int round, int i) {
    return (unsigned char)(src * 31 + round * 7 + i * 13);
}

/* Sum of the received bytes, printed so both libraries show the same data went round. */
static unsigned long checksum(const unsigned char* b, int n) {
    unsigned long s = 0;
    for (int i = 0; i < n; ++i)
        s = s * 31 + b[i];
    return s;
}

static void byte_rings(int rank, int size, unsigned char* out, unsigned char* in) {
    static const int sizes[] = {0, 1, 7, 1000, 4096, MAX_BYTES};
    for (int k = 1; k < size; ++k) {
        int right = (rank + k) % size, left = (rank - k + size) % size;
        for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
            unsigned long sum = 0;
            for (int round = 0; round < ROUNDS; ++round) {
                int n = sizes[s];
                for (int i = 0; i < n; ++i)
                    out[i] = byte_of(rank, round, i);
                MPI_Status st;
                int count;
                MPI_Sendrecv(out, n, MPI_BYTE, right, round, in, MAX_BYTES, MPI_BYTE, left, round,
                             MPI_COMM_WORLD, &st);
                MPI_Get_count(&st, MPI_BYTE, &count);
                CHECK(st.MPI_SOURCE == left && st.MPI_TAG == round, "ring: status");
                CHECK(count == n, "ring: count");
                for (int i = 0; i < n; ++i)
                    CHECK(in[i] == byte_of(left, round, i), "ring: corrupt payload");
                sum += checksum(in, n);
            }
            if (k == 1 || k == size - 1)
                say("shift %s bytes %d rounds %d from %d: checksum %lu", k == 1 ? "+1" : "-1",
                    sizes[s], ROUNDS, left, sum);
        }
    }
    say("byte rings: %d shifts ok", size - 1);
}

/* Ints with different send and receive tags, receiving from any source and any tag. */
static void wildcard_ring(int rank, int size) {
    int right = (rank + 1) % size, left = (rank - 1 + size) % size;
    int out[3] = {rank, rank * rank, -rank}, in[3] = {0, 0, 0};
    MPI_Status st;
    /* every message is tagged by its sender, so MPI_ANY_TAG still identifies it */
    MPI_Sendrecv(out, 3, MPI_INT, right, 50 + rank, in, 3, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG,
                 MPI_COMM_WORLD, &st);
    CHECK(st.MPI_SOURCE == left && st.MPI_TAG == 50 + left, "wildcard ring: status");
    CHECK(in[0] == left && in[1] == left * left && in[2] == -left, "wildcard ring: payload");
    say("wildcard ring: from %d tag %d values %d %d %d", st.MPI_SOURCE, st.MPI_TAG, in[0], in[1],
        in[2]);
}

/* An open chain: rank 0 receives from MPI_PROC_NULL, the last rank sends to it. */
static void chain(int rank, int size) {
    int right = rank + 1 < size ? rank + 1 : MPI_PROC_NULL;
    int left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
    double out = rank + 0.25, in = -1.0;
    MPI_Status st;
    int count;
    MPI_Sendrecv(&out, 1, MPI_DOUBLE, right, 7, &in, 1, MPI_DOUBLE, left, 7, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_DOUBLE, &count);
    if (left == MPI_PROC_NULL) {
        CHECK(st.MPI_SOURCE == MPI_PROC_NULL && st.MPI_TAG == MPI_ANY_TAG && count == 0,
              "chain: MPI_PROC_NULL status");
        CHECK(in == -1.0, "chain: MPI_PROC_NULL receive changed the buffer");
        say("chain: nothing from MPI_PROC_NULL");
    } else {
        CHECK(st.MPI_SOURCE == left && count == 1 && in == left + 0.25, "chain: receive");
        say("chain: %.2f from %d", in, left);
    }
}

/* Synchronous sends round the ring: odd ranks receive first, even ranks send first. */
static void ssend_ring(int rank, int size, unsigned char* out, unsigned char* in) {
    int right = (rank + 1) % size, left = (rank - 1 + size) % size, n = 20000;
    for (int i = 0; i < n; ++i)
        out[i] = byte_of(rank, 9, i);
    if (rank % 2 == 0) {
        MPI_Ssend(out, n, MPI_BYTE, right, 11, MPI_COMM_WORLD);
        MPI_Recv(in, n, MPI_BYTE, left, 11, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
        MPI_Recv(in, n, MPI_BYTE, left, 11, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Ssend(out, n, MPI_BYTE, right, 11, MPI_COMM_WORLD);
    }
    for (int i = 0; i < n; ++i)
        CHECK(in[i] == byte_of(left, 9, i), "ssend ring: corrupt payload");
    say("ssend ring: %d bytes from %d checksum %lu", n, left, checksum(in, n));
}

int main(int argc, char** argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    say_init();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK(size >= 2, "needs 2 or more ranks");
    unsigned char* out = malloc(MAX_BYTES);
    unsigned char* in = malloc(MAX_BYTES);

    byte_rings(rank, size, out, in);
    wildcard_ring(rank, size);
    chain(rank, size);
    ssend_ring(rank, size, out, in);

    free(out);
    free(in);
    MPI_Barrier(MPI_COMM_WORLD);
    say("OK");
    MPI_Finalize();
    return 0;
}
