/* MPI_ANY_SOURCE fan-in (MPI-3.1 sections 3.2.4, 3.5, 3.8.1): every rank > 0 sends rank 0 a
 * message whose length depends on its rank; rank 0 receives them from any source, learning the
 * length from MPI_Probe + MPI_Get_count or from the receive's status. Arrival order is not
 * deterministic, so only per-source facts are printed, sorted by source. Any size >= 2. */
#include <stdlib.h>

#include "check.h"

static int int_words(int src) {
    return src * 300 + src % 2;
} /* 301 .. 2100 ints */
static int int_value(int src, int i) {
    return src * 1000003 + i;
}

/* Round 1: ints of rank-dependent length, tag 1000; every other receive is preceded by MPI_Probe.
 */
static void round_ints(int rank, int size) {
    if (rank != 0) {
        int n = int_words(rank);
        int* msg = malloc(sizeof(int) * (size_t)n);
        for (int i = 0; i < n; ++i)
            msg[i] = int_value(rank, i);
        MPI_Send(msg, n, MPI_INT, 0, 1000, MPI_COMM_WORLD);
        free(msg);
        return;
    }
    int* counts = calloc((size_t)size, sizeof *counts);
    int* probed = calloc((size_t)size, sizeof *probed);
    int big = int_words(size - 1) + int_words(size - 2);
    for (int k = 0; k < size - 1; ++k) {
        MPI_Status st;
        int count, src, *msg;
        if (k % 2 == 0) {
            MPI_Probe(MPI_ANY_SOURCE, 1000, MPI_COMM_WORLD, &st);
            MPI_Get_count(&st, MPI_INT, &count);
            src = st.MPI_SOURCE;
            CHECK(src >= 1 && src < size, "probe: MPI_SOURCE");
            CHECK(st.MPI_TAG == 1000, "probe: MPI_TAG");
            msg = malloc(sizeof(int) * (size_t)count);
            MPI_Recv(msg, count, MPI_INT, src, 1000, MPI_COMM_WORLD, &st);
            CHECK(st.MPI_SOURCE == src, "receive after probe: MPI_SOURCE");
            int again;
            MPI_Get_count(&st, MPI_INT, &again);
            CHECK(again == count, "receive after probe: count differs from the probe's");
            probed[src] = 1;
        } else {
            msg = malloc(sizeof(int) * (size_t)big);
            MPI_Recv(msg, big, MPI_INT, MPI_ANY_SOURCE, 1000, MPI_COMM_WORLD, &st);
            MPI_Get_count(&st, MPI_INT, &count);
            src = st.MPI_SOURCE;
            CHECK(src >= 1 && src < size, "receive: MPI_SOURCE");
        }
        CHECK(counts[src] == 0, "two messages from one source");
        CHECK(count == int_words(src), "MPI_Get_count");
        for (int i = 0; i < count; ++i)
            CHECK(msg[i] == int_value(src, i), "corrupt payload");
        counts[src] = count;
        free(msg);
    }
    int nprobed = 0;
    for (int src = 1; src < size; ++src) {
        say("ints from %d: count %d", src, counts[src]);
        nprobed += probed[src];
    }
    say("ints: %d sources, %d probed first", size - 1, nprobed);
    free(counts);
    free(probed);
}

/* Round 2: rank s sends s - 1 doubles (rank 1 an empty message) with tag s; rank 0 receives
 * with MPI_ANY_SOURCE and MPI_ANY_TAG and counts them as doubles, bytes and ints. */
static void round_doubles(int rank, int size) {
    if (rank != 0) {
        double msg[64];
        for (int i = 0; i < rank - 1; ++i)
            msg[i] = rank + i * 0.5;
        MPI_Send(msg, rank - 1, MPI_DOUBLE, 0, rank, MPI_COMM_WORLD);
        return;
    }
    int* seen = calloc((size_t)size, sizeof *seen);
    char(*lines)[128] = calloc((size_t)size, sizeof *lines);
    for (int k = 0; k < size - 1; ++k) {
        double msg[64];
        MPI_Status st;
        int doubles, bytes, ints;
        MPI_Recv(msg, 64, MPI_DOUBLE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        int src = st.MPI_SOURCE;
        CHECK(src >= 1 && src < size && !seen[src], "doubles: MPI_SOURCE");
        CHECK(st.MPI_TAG == src, "doubles: MPI_TAG");
        MPI_Get_count(&st, MPI_DOUBLE, &doubles);
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        MPI_Get_count(&st, MPI_INT, &ints);
        CHECK(doubles == src - 1, "doubles: MPI_Get_count");
        for (int i = 0; i < doubles; ++i)
            CHECK(msg[i] == src + i * 0.5, "doubles: corrupt payload");
        seen[src] = 1;
        snprintf(lines[src], sizeof lines[src],
                 "doubles from %d: tag %d, %d doubles = %d bytes = %d ints", src, st.MPI_TAG,
                 doubles, bytes, ints);
    }
    for (int src = 1; src < size; ++src)
        say("%s", lines[src]);
    free(seen);
    free(lines);
}

/* Round 3: rank s sends s bytes; rank 0 probes each from any source and asks for the count in
 * ints, which is MPI_UNDEFINED unless s is a multiple of 4 (MPI-3.1 section 3.2.5). */
static void round_bytes(int rank, int size) {
    if (rank != 0) {
        char msg[64];
        for (int i = 0; i < rank; ++i)
            msg[i] = (char)('a' + (rank + i) % 26);
        MPI_Send(msg, rank, MPI_BYTE, 0, 3, MPI_COMM_WORLD);
        return;
    }
    char(*lines)[128] = calloc((size_t)size, sizeof *lines);
    for (int k = 0; k < size - 1; ++k) {
        MPI_Status st;
        int ints, bytes;
        char msg[64];
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        int src = st.MPI_SOURCE;
        CHECK(src >= 1 && src < size && lines[src][0] == 0, "bytes: MPI_SOURCE");
        MPI_Get_count(&st, MPI_INT, &ints);
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        CHECK(bytes == src, "bytes: MPI_Get_count");
        CHECK(ints == (src % 4 ? MPI_UNDEFINED : src / 4), "bytes: MPI_Get_count in ints");
        MPI_Recv(msg, bytes, MPI_BYTE, src, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        for (int i = 0; i < bytes; ++i)
            CHECK(msg[i] == (char)('a' + (src + i) % 26), "bytes: corrupt payload");
        char ints_text[16];
        if (ints == MPI_UNDEFINED)
            snprintf(ints_text, sizeof ints_text, "MPI_UNDEFINED");
        else
            snprintf(ints_text, sizeof ints_text, "%d", ints);
        snprintf(lines[src], sizeof lines[src], "bytes from %d: %d bytes, ints %s, text %.*s", src,
                 bytes, ints_text, bytes, msg);
    }
    for (int src = 1; src < size; ++src)
        say("%s", lines[src]);
    free(lines);
}

int main(int argc, char** argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    say_init();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK(size >= 2 && size <= 64, "needs 2 to 64 ranks");

    /* The barriers keep a fast sender's next message out of a round that takes any source. */
    round_ints(rank, size);
    MPI_Barrier(MPI_COMM_WORLD);
    round_doubles(rank, size);
    MPI_Barrier(MPI_COMM_WORLD);
    round_bytes(rank, size);
    if (rank != 0) say("sent 3 messages to rank 0");

    MPI_Barrier(MPI_COMM_WORLD);
    say("OK");
    MPI_Finalize();
    return 0;
}
