/* Non-blocking point-to-point (MPI-3.1 sections 3.7, 3.11): every rank posts MPI_Irecv from all
 * others, then MPI_Isend to all others, and completes them with MPI_Waitall; then sends first
 * and receives second; then receives from MPI_ANY_SOURCE; then polls one receive with MPI_Test.
 * Null and MPI_PROC_NULL requests complete at once. Also MPI_Init_thread, MPI_Initialized,
 * MPI_Wtime and MPI_Wtick (section 8.6), whose values are checked but never printed. */
#include <stdlib.h>

#include "check.h"

static int rank, size;

/* Length in ints of the message from `src` to `dst`: 0 .. 4 KiB and one of 40 KiB. */
static int words_of(int src, int dst) {
    return src == 0 && dst == size - 1 ? 10000 : (src * 7 + dst * 3) % 11 * 97;
}
static int value_of(int src, int dst, int i) {
    return src * 1000000 + dst * 10000 + i;
}

enum { MAX_WORDS = 10000 };

/* Exchange with every other rank; `recv_first` posts the receives before the sends. */
static void exchange(int recv_first, int phase) {
    int n = size - 1;
    int** out = malloc(sizeof(int*) * (size_t)size);
    int** in = malloc(sizeof(int*) * (size_t)size);
    MPI_Request* reqs = malloc(sizeof(MPI_Request) * 2 * (size_t)n);
    MPI_Status* sts = malloc(sizeof(MPI_Status) * 2 * (size_t)n);
    for (int p = 0; p < size; ++p) {
        out[p] = malloc(sizeof(int) * (size_t)(words_of(rank, p) + 1));
        in[p] = malloc(sizeof(int) * MAX_WORDS);
        for (int i = 0; i < words_of(rank, p); ++i)
            out[p][i] = value_of(rank, p, i);
    }
    /* receives occupy slots 0 .. n-1 (peer order), sends n .. 2n-1 */
    for (int pass = 0; pass < 2; ++pass) {
        int k = 0;
        for (int p = 0; p < size; ++p) {
            if (p == rank) continue;
            if (pass == (recv_first ? 0 : 1))
                MPI_Irecv(in[p], MAX_WORDS, MPI_INT, p, phase, MPI_COMM_WORLD, &reqs[k]);
            else
                MPI_Isend(out[p], words_of(rank, p), MPI_INT, p, phase, MPI_COMM_WORLD,
                          &reqs[n + k]);
            ++k;
        }
    }
    MPI_Waitall(2 * n, reqs, sts);
    long total = 0;
    int k = 0;
    for (int p = 0; p < size; ++p) {
        if (p == rank) continue;
        int count;
        MPI_Get_count(&sts[k], MPI_INT, &count);
        CHECK(sts[k].MPI_SOURCE == p && sts[k].MPI_TAG == phase, "exchange: status");
        CHECK(count == words_of(p, rank), "exchange: count");
        for (int i = 0; i < count; ++i)
            CHECK(in[p][i] == value_of(p, rank, i), "exchange: corrupt payload");
        CHECK(reqs[k] == MPI_REQUEST_NULL && reqs[n + k] == MPI_REQUEST_NULL,
              "completed requests are not null");
        total += count;
        ++k;
    }
    say("exchange %s: %d peers, %ld ints received", recv_first ? "receives first" : "sends first",
        n, total);
    for (int p = 0; p < size; ++p) {
        free(out[p]);
        free(in[p]);
    }
    free(out);
    free(in);
    free(reqs);
    free(sts);
}

/* Receives from MPI_ANY_SOURCE: the set of sources is known, the order is not. */
static void any_source(void) {
    int n = size - 1;
    int* in = malloc(sizeof(int) * 2 * (size_t)n);
    int* seen = calloc((size_t)size, sizeof *seen);
    MPI_Request* reqs = malloc(sizeof(MPI_Request) * (size_t)(n + size));
    MPI_Status* sts = malloc(sizeof(MPI_Status) * (size_t)(n + size));
    for (int k = 0; k < n; ++k)
        MPI_Irecv(&in[2 * k], 2, MPI_INT, MPI_ANY_SOURCE, 20, MPI_COMM_WORLD, &reqs[k]);
    int out[2] = {rank, rank * rank};
    for (int p = 0; p < size; ++p) /* a send to myself becomes a null request */
        if (p != rank)
            MPI_Isend(out, 2, MPI_INT, p, 20, MPI_COMM_WORLD, &reqs[n + p]);
        else
            reqs[n + p] = MPI_REQUEST_NULL;
    MPI_Waitall(n + size, reqs, sts);
    for (int k = 0; k < n; ++k) {
        int src = sts[k].MPI_SOURCE;
        CHECK(src >= 0 && src < size && src != rank && !seen[src], "any source: MPI_SOURCE");
        CHECK(in[2 * k] == src && in[2 * k + 1] == src * src, "any source: payload");
        seen[src] = 1;
    }
    say("any source: %d distinct senders", n);
    free(in);
    free(seen);
    free(reqs);
    free(sts);
}

/* Poll a 64 KiB receive from the left with MPI_Test while the send to the right is pending. */
static void test_polling(void) {
    enum { BYTES = 65536 };
    int right = (rank + 1) % size, left = (rank - 1 + size) % size;
    unsigned char* out = malloc(BYTES);
    unsigned char* in = malloc(BYTES);
    for (int i = 0; i < BYTES; ++i)
        out[i] = (unsigned char)(rank + i * 3);
    MPI_Request recv, send;
    MPI_Status st;
    MPI_Irecv(in, BYTES, MPI_BYTE, left, 30, MPI_COMM_WORLD, &recv);
    MPI_Isend(out, BYTES, MPI_BYTE, right, 30, MPI_COMM_WORLD, &send);
    int flag = 0;
    long polls = 0;
    double start = MPI_Wtime();
    while (!flag) {
        MPI_Test(&recv, &flag, &st);
        ++polls;
    }
    double elapsed = MPI_Wtime() - start;
    CHECK(elapsed >= 0.0, "MPI_Wtime went backwards");
    CHECK(polls >= 1 && recv == MPI_REQUEST_NULL, "MPI_Test left the request");
    int count;
    MPI_Get_count(&st, MPI_BYTE, &count);
    CHECK(st.MPI_SOURCE == left && st.MPI_TAG == 30 && count == BYTES, "MPI_Test status");
    for (int i = 0; i < BYTES; ++i)
        CHECK(in[i] == (unsigned char)(left + i * 3), "polled receive: payload");
    MPI_Wait(&send, MPI_STATUS_IGNORE);
    CHECK(send == MPI_REQUEST_NULL, "MPI_Wait left the request");

    /* null requests: MPI_Test says done at once, MPI_Wait returns at once */
    flag = 0;
    MPI_Test(&recv, &flag, MPI_STATUS_IGNORE);
    CHECK(flag, "MPI_Test on MPI_REQUEST_NULL");
    MPI_Wait(&send, MPI_STATUS_IGNORE);
    say("test polling: %d bytes from %d", count, left);
    free(out);
    free(in);
}

/* MPI_PROC_NULL requests complete with the empty status (section 3.11). */
static void proc_null(void) {
    MPI_Request reqs[2];
    MPI_Status sts[2];
    int a = 1, b = 2, count = -1;
    MPI_Isend(&a, 1, MPI_INT, MPI_PROC_NULL, 40, MPI_COMM_WORLD, &reqs[0]);
    MPI_Irecv(&b, 1, MPI_INT, MPI_PROC_NULL, 40, MPI_COMM_WORLD, &reqs[1]);
    MPI_Waitall(2, reqs, sts);
    MPI_Get_count(&sts[1], MPI_INT, &count);
    CHECK(b == 2 && sts[1].MPI_SOURCE == MPI_PROC_NULL && sts[1].MPI_TAG == MPI_ANY_TAG &&
              count == 0,
          "MPI_PROC_NULL receive");
    say("proc_null requests: source MPI_PROC_NULL, tag MPI_ANY_TAG, count 0");
}

int main(int argc, char** argv) {
    int initialized = 1, provided = -1;
    MPI_Initialized(&initialized);
    CHECK(!initialized, "MPI_Initialized before MPI_Init_thread");
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SINGLE, &provided);
    say_init();
    MPI_Initialized(&initialized);
    CHECK(initialized, "MPI_Initialized after MPI_Init_thread");
    CHECK(provided >= MPI_THREAD_SINGLE, "MPI_Init_thread provided");
    CHECK(MPI_Wtick() > 0.0, "MPI_Wtick");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK(size >= 2, "needs 2 or more ranks");

    exchange(1, 10);
    MPI_Barrier(MPI_COMM_WORLD);
    exchange(0, 11);
    MPI_Barrier(MPI_COMM_WORLD);
    any_source();
    MPI_Barrier(MPI_COMM_WORLD);
    test_polling();
    proc_null();

    MPI_Barrier(MPI_COMM_WORLD);
    say("OK");
    MPI_Finalize();
    return 0;
}
