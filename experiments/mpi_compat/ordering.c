/* Non-overtaking (MPI-3.1 section 3.5): messages from one sender on one communicator that match
 * the same receive arrive in the order sent; a tag-selective receive takes a later message and
 * leaves earlier ones with other tags pending; MPI_PROC_NULL sends and receives are no-ops
 * (section 3.11). Any number of ranks >= 2; prints "rank R: OK" when every check passed. */
#include <stdlib.h>

#include "check.h"

enum { SEQ = 12, MAX_WORDS = 4096, SKIP = 6 };

/* Length in ints of message `seq` of sender `src`: small and large (beyond eager limits). */
static int words_of(int src, int seq) {
    static const int lens[SEQ] = {1, 2, 64, 1, 2048, 7, 1, 3000, 5, 1, 12, MAX_WORDS};
    return lens[(seq + src) % SEQ];
}

static int value_of(int src, int seq, int i) {
    return src * 100000 + seq * 1000 + i % 1000;
}

static void fill(int* msg, int src, int seq, int words) {
    msg[0] = seq;
    for (int i = 1; i < words; ++i)
        msg[i] = value_of(src, seq, i);
}

static int payload_ok(const int* msg, int src, int seq, int words) {
    if (msg[0] != seq) return 0;
    for (int i = 1; i < words; ++i)
        if (msg[i] != value_of(src, seq, i)) return 0;
    return 1;
}

/* Part A: blocking sends with tag seq % 4; rank 0 takes each sender's messages in turn,
 * alternating a receive naming the expected tag with MPI_ANY_TAG. */
static void blocking_sequence(int rank, int size, int* msg) {
    if (rank != 0) {
        for (int seq = 0; seq < SEQ; ++seq) {
            int words = words_of(rank, seq);
            fill(msg, rank, seq, words);
            MPI_Send(msg, words, MPI_INT, 0, seq % 4, MPI_COMM_WORLD);
        }
        say("A sent %d messages", SEQ);
        return;
    }
    for (int src = 1; src < size; ++src) {
        long total = 0;
        for (int seq = 0; seq < SEQ; ++seq) {
            MPI_Status st;
            int count;
            MPI_Recv(msg, MAX_WORDS, MPI_INT, src, seq % 2 ? MPI_ANY_TAG : seq % 4, MPI_COMM_WORLD,
                     &st);
            MPI_Get_count(&st, MPI_INT, &count);
            CHECK(st.MPI_SOURCE == src, "A: MPI_SOURCE");
            CHECK(st.MPI_TAG == seq % 4, "A: MPI_TAG");
            CHECK(count == words_of(src, seq), "A: MPI_Get_count");
            CHECK(payload_ok(msg, src, seq, count), "A: message overtaken or corrupt");
            total += count;
        }
        say("A from %d: %d messages in order, %ld ints", src, SEQ, total);
    }
}

/* Part B: non-blocking sends with tags 5 6 5 7 6 5; rank 0 asks for tag 7 first, then tag 6,
 * then any tag, ... so it must skip pending messages and still find the earliest match. */
static void tag_selective(int rank, int size, int* msg) {
    static const int tags[SKIP] = {5, 6, 5, 7, 6, 5};
    /* (receive tag, sequence number that must arrive) in rank 0's receive order */
    static const int want_tag[SKIP] = {7, 6, MPI_ANY_TAG, 5, MPI_ANY_TAG, MPI_ANY_TAG};
    static const int want_seq[SKIP] = {3, 1, 0, 2, 4, 5};
    if (rank != 0) {
        int* bufs = malloc(sizeof(int) * SKIP * 600);
        MPI_Request reqs[SKIP];
        for (int seq = 0; seq < SKIP; ++seq) {
            int words = 1 + (seq * 199 + rank) % 600; /* some of them larger than an eager limit */
            fill(bufs + seq * 600, rank, seq, words);
            MPI_Isend(bufs + seq * 600, words, MPI_INT, 0, tags[seq], MPI_COMM_WORLD, &reqs[seq]);
        }
        MPI_Waitall(SKIP, reqs, MPI_STATUSES_IGNORE);
        free(bufs);
        say("B sent %d messages", SKIP);
        return;
    }
    for (int src = size - 1; src >= 1; --src) {
        char order[64];
        int used = 0;
        for (int k = 0; k < SKIP; ++k) {
            MPI_Status st;
            int count;
            MPI_Recv(msg, 600, MPI_INT, src, want_tag[k], MPI_COMM_WORLD, &st);
            MPI_Get_count(&st, MPI_INT, &count);
            CHECK(st.MPI_SOURCE == src, "B: MPI_SOURCE");
            CHECK(msg[0] == want_seq[k], "B: tag-selective receive took the wrong message");
            CHECK(st.MPI_TAG == tags[want_seq[k]], "B: MPI_TAG");
            CHECK(count == 1 + (want_seq[k] * 199 + src) % 600, "B: MPI_Get_count");
            CHECK(payload_ok(msg, src, msg[0], count), "B: corrupt payload");
            used +=
                snprintf(order + used, sizeof order - (size_t)used, " %d/%d", msg[0], st.MPI_TAG);
        }
        say("B from %d: seq/tag%s", src, order);
    }
}

/* Part C: MPI_ANY_SOURCE with one tag; per sender the sequence numbers must still rise. */
static void any_source(int rank, int size) {
    enum { PER = 5 };
    if (rank != 0) {
        for (int seq = 0; seq < PER; ++seq) {
            int m[2] = {rank, seq};
            MPI_Send(m, 2, MPI_INT, 0, 9, MPI_COMM_WORLD);
        }
        return;
    }
    int* next = calloc((size_t)size, sizeof *next);
    for (int n = 0; n < PER * (size - 1); ++n) {
        int m[2];
        MPI_Status st;
        MPI_Recv(m, 2, MPI_INT, MPI_ANY_SOURCE, 9, MPI_COMM_WORLD, &st);
        CHECK(st.MPI_SOURCE >= 1 && st.MPI_SOURCE < size && m[0] == st.MPI_SOURCE, "C: MPI_SOURCE");
        CHECK(m[1] == next[m[0]], "C: message overtook another from the same sender");
        next[m[0]]++;
    }
    for (int src = 1; src < size; ++src)
        CHECK(next[src] == PER, "C: message count");
    free(next);
    say("C any-source: %d senders x %d messages in order", size - 1, PER);
}

static void proc_null(void) {
    int v = 42, count = -1;
    MPI_Status st;
    MPI_Send(&v, 1, MPI_INT, MPI_PROC_NULL, 3, MPI_COMM_WORLD);
    MPI_Recv(&v, 1, MPI_INT, MPI_PROC_NULL, 3, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_INT, &count);
    CHECK(st.MPI_SOURCE == MPI_PROC_NULL, "MPI_PROC_NULL: MPI_SOURCE");
    CHECK(st.MPI_TAG == MPI_ANY_TAG, "MPI_PROC_NULL: MPI_TAG");
    CHECK(count == 0, "MPI_PROC_NULL: count");
    CHECK(v == 42, "MPI_PROC_NULL: buffer changed");
    say("proc_null: source MPI_PROC_NULL, tag MPI_ANY_TAG, count 0");
}

int main(int argc, char** argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    say_init();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK(size >= 2, "needs 2 or more ranks");
    int* msg = malloc(sizeof(int) * MAX_WORDS);

    blocking_sequence(rank, size, msg);
    MPI_Barrier(MPI_COMM_WORLD);
    tag_selective(rank, size, msg);
    MPI_Barrier(MPI_COMM_WORLD);
    any_source(rank, size);
    MPI_Barrier(MPI_COMM_WORLD);
    proc_null();

    free(msg);
    MPI_Barrier(MPI_COMM_WORLD);
    say("OK");
    MPI_Finalize();
    return 0;
}
