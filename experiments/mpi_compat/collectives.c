/* Every collective of MPI-3.1 chapter 5 that ipclab has: MPI_Barrier, MPI_Bcast, MPI_Reduce,
 * MPI_Allreduce, MPI_Gather, MPI_Scatter, MPI_Allgather and MPI_Alltoall, at several counts,
 * roots 0 and size - 1, with and without MPI_IN_PLACE (sections 5.2.1, 5.5 - 5.9); reductions
 * with every op on every C type it is defined for (section 5.9.2). Inputs are small integers, so
 * float and double results are exact whatever the reduction order. Each result is checked
 * against a local computation and printed by one rank. Any size >= 2. */
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum Kind { K_CHAR, K_BYTE, K_INT, K_LONG, K_UNSIGNED, K_FLOAT, K_DOUBLE };
enum Op_code { O_SUM, O_PROD, O_MIN, O_MAX, O_LAND, O_LOR, O_BAND, O_BOR };

typedef struct {
    MPI_Datatype type;
    const char* name;
    enum Kind kind;
    size_t size;
} Type;

typedef struct {
    MPI_Op op;
    const char* name;
    enum Op_code code;
} Op;

static int rank, size;

static int is_integer(enum Kind k) {
    return k == K_INT || k == K_LONG || k == K_UNSIGNED;
}
static int is_signed(enum Kind k) {
    return k != K_UNSIGNED && k != K_BYTE;
}

static void put(const Type* t, void* buf, int i, long long v) {
    switch (t->kind) {
    case K_CHAR:
        ((char*)buf)[i] = (char)v;
        break;
    case K_BYTE:
        ((unsigned char*)buf)[i] = (unsigned char)v;
        break;
    case K_INT:
        ((int*)buf)[i] = (int)v;
        break;
    case K_LONG:
        ((long*)buf)[i] = (long)v;
        break;
    case K_UNSIGNED:
        ((unsigned*)buf)[i] = (unsigned)v;
        break;
    case K_FLOAT:
        ((float*)buf)[i] = (float)v;
        break;
    case K_DOUBLE:
        ((double*)buf)[i] = (double)v;
        break;
    }
}

static long long get(const Type* t, const void* buf, int i) {
    switch (t->kind) {
    case K_CHAR:
        return ((const char*)buf)[i];
    case K_BYTE:
        return ((const unsigned char*)buf)[i];
    case K_INT:
        return ((const int*)buf)[i];
    case K_LONG:
        return ((const long*)buf)[i];
    case K_UNSIGNED:
        return ((const unsigned*)buf)[i];
    case K_FLOAT:
        return (long long)((const float*)buf)[i];
    case K_DOUBLE:
        return (long long)((const double*)buf)[i];
    }
    return 0;
}

/* "n=N: v0 v1 ..." for short buffers, "n=N: first .. last sum S" for long ones. */
static void describe(char* text, size_t room, const Type* t, const void* buf, int n) {
    int used = snprintf(text, room, "n=%d:", n);
    if (n <= 8) {
        for (int i = 0; i < n; ++i)
            used += snprintf(text + used, room - (size_t)used, " %lld", get(t, buf, i));
        return;
    }
    long long sum = 0;
    for (int i = 0; i < n; ++i)
        sum += get(t, buf, i);
    snprintf(text + used, room - (size_t)used, " %lld %lld %lld .. %lld sum %lld", get(t, buf, 0),
             get(t, buf, 1), get(t, buf, 2), get(t, buf, n - 1), sum);
}

/* ---- reductions ---- */

static long long reduce_input(const Op* op, const Type* t, int r, int i) {
    int sgn = is_signed(t->kind);
    switch (op->code) {
    case O_SUM:
        return r * 3 + i % 11 + (sgn ? -4 : 1);
    case O_PROD: {
        long long v = 1 + ((r + i) % 3 == 0);
        return sgn && (r + 2 * i) % 5 == 0 ? -v : v;
    }
    case O_MIN:
    case O_MAX:
        return (r * 7 + i * 13) % 23 - (sgn ? 11 : 0);
    case O_LAND:
        return (r * 5 + i) % (size + 1) != 0 ? 1 + i % 3 : 0; /* true is not always 1 */
    case O_LOR:
        return (r + 2 * i) % (size + 2) == 0 ? 2 : 0;
    case O_BAND:
        return (0xFF ^ (1 << ((r + i) % 8))) | ((i % 16) << 8);
    case O_BOR:
        return (1 << ((r + i) % 12)) | (i % 3);
    }
    return 0;
}

static long long combine(const Op* op, long long a, long long b) {
    switch (op->code) {
    case O_SUM:
        return a + b;
    case O_PROD:
        return a * b;
    case O_MIN:
        return a < b ? a : b;
    case O_MAX:
        return a > b ? a : b;
    case O_LAND:
        return a && b;
    case O_LOR:
        return a || b;
    case O_BAND:
        return a & b;
    case O_BOR:
        return a | b;
    }
    return 0;
}

/* The logical ops' true may be any non-zero value; compare and print them as 0 or 1. */
static long long normal(const Op* op, long long v) {
    return op->code == O_LAND || op->code == O_LOR ? v != 0 : v;
}

static void check_reduced(const Op* op, const Type* t, const void* buf, int n, const char* what) {
    for (int i = 0; i < n; ++i) {
        long long want = reduce_input(op, t, 0, i);
        for (int r = 1; r < size; ++r)
            want = combine(op, want, reduce_input(op, t, r, i));
        if (normal(op, get(t, buf, i)) != normal(op, want)) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s %s %s n=%d element %d: got %lld, want %lld", what,
                     op->name, t->name, n, i, get(t, buf, i), want);
            fail_at(msg, __LINE__);
        }
    }
}

static void say_reduced(const Op* op, const Type* t, void* buf, int n, const char* what) {
    char text[256];
    if (op->code == O_LAND || op->code == O_LOR)
        for (int i = 0; i < n; ++i)
            put(t, buf, i, normal(op, get(t, buf, i)));
    describe(text, sizeof text, t, buf, n);
    say("%s %s %s %s", what, op->name, t->name, text);
}

static void reductions(const Type* types, int ntypes, const Op* ops, int nops) {
    static const int counts[] = {1, 5, 1000};
    int printer = 0;
    for (int o = 0; o < nops; ++o) {
        for (int ti = 0; ti < ntypes; ++ti) {
            const Type* t = &types[ti];
            const Op* op = &ops[o];
            if (op->code >= O_LAND && !is_integer(t->kind))
                continue; /* logical and bit ops: integers only */
            for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; ++c) {
                int n = counts[c];
                void* in = malloc(t->size * (size_t)n);
                void* out = malloc(t->size * (size_t)n);
                for (int i = 0; i < n; ++i)
                    put(t, in, i, reduce_input(op, t, rank, i));

                /* MPI_Reduce to rank 0 */
                MPI_Reduce(in, out, n, t->type, op->op, 0, MPI_COMM_WORLD);
                if (rank == 0) {
                    check_reduced(op, t, out, n, "reduce");
                    say_reduced(op, t, out, n, "reduce root 0");
                }
                /* MPI_Reduce to the last rank, in place there */
                int last = size - 1;
                if (rank == last) {
                    memcpy(out, in, t->size * (size_t)n);
                    MPI_Reduce(MPI_IN_PLACE, out, n, t->type, op->op, last, MPI_COMM_WORLD);
                    check_reduced(op, t, out, n, "reduce in place");
                    say_reduced(op, t, out, n, "reduce in place root last");
                } else {
                    MPI_Reduce(in, NULL, n, t->type, op->op, last, MPI_COMM_WORLD);
                }
                /* MPI_Allreduce, then in place; every rank checks, one prints */
                MPI_Allreduce(in, out, n, t->type, op->op, MPI_COMM_WORLD);
                check_reduced(op, t, out, n, "allreduce");
                if (rank == printer) say_reduced(op, t, out, n, "allreduce");
                memcpy(out, in, t->size * (size_t)n);
                MPI_Allreduce(MPI_IN_PLACE, out, n, t->type, op->op, MPI_COMM_WORLD);
                check_reduced(op, t, out, n, "allreduce in place");
                if (rank == printer) say_reduced(op, t, out, n, "allreduce in place");
                printer = (printer + 1) % size;
                free(in);
                free(out);
            }
        }
    }
    say("reductions done");
}

/* ---- data movement ---- */

/* Element i of the block that rank `src` contributes for rank `dst`. */
static long long elem(const Type* t, int src, int dst, int i) {
    if (t->kind == K_CHAR || t->kind == K_BYTE) return (src * 31 + dst * 5 + i * 7) & 0x7f;
    return src * 100000 + dst * 1000 + i % 1000;
}

static void check_block(const Type* t, const void* buf, int n, int src, int dst, const char* what) {
    for (int i = 0; i < n; ++i) {
        if (get(t, buf, i) != elem(t, src, dst, i)) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s %s n=%d: block from %d for %d element %d is %lld", what,
                     t->name, n, src, dst, i, get(t, buf, i));
            fail_at(msg, __LINE__);
        }
    }
}

static char* at(const Type* t, void* buf, long elements) {
    return (char*)buf + t->size * (size_t)elements;
}

static void broadcasts(const Type* types, int ntypes) {
    static const int counts[] = {0, 1, 100, 20000};
    for (int ti = 0; ti < ntypes; ++ti) {
        const Type* t = &types[ti];
        for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; ++c) {
            int n = counts[c];
            if (n > 7 && t->kind != K_CHAR && t->kind != K_BYTE && t->kind != K_INT &&
                t->kind != K_DOUBLE)
                continue;
            void* buf = malloc(t->size * (size_t)(n + 1));
            for (int root = 0; root < size; root += size - 1) {
                for (int i = 0; i < n; ++i)
                    put(t, buf, i, rank == root ? elem(t, root, 0, i) : 0);
                MPI_Bcast(buf, n, t->type, root, MPI_COMM_WORLD);
                check_block(t, buf, n, root, 0, "bcast");
                if (rank == (root + 1) % size) {
                    char text[256];
                    describe(text, sizeof text, t, buf, n);
                    say("bcast %s root %d %s", t->name, root, text);
                }
            }
            free(buf);
        }
    }
    say("broadcasts done");
}

static void gathers(const Type* types, int ntypes) {
    static const int counts[] = {1, 3, 1000};
    for (int ti = 0; ti < ntypes; ++ti) {
        const Type* t = &types[ti];
        for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; ++c) {
            int n = counts[c];
            void* mine = malloc(t->size * (size_t)n);
            void* all = malloc(t->size * (size_t)n * (size_t)size);
            for (int root = 0; root < size; root += size - 1) {
                for (int in_place = 0; in_place < 2; ++in_place) {
                    const char* how = in_place ? " in place" : "";
                    /* MPI_Gather: block of rank r lands at r * n of the root's buffer */
                    for (int i = 0; i < n; ++i)
                        put(t, mine, i, elem(t, rank, root, i));
                    memset(all, 0, t->size * (size_t)n * (size_t)size);
                    if (rank == root && in_place) {
                        memcpy(at(t, all, (long)root * n), mine, t->size * (size_t)n);
                        MPI_Gather(MPI_IN_PLACE, n, t->type, all, n, t->type, root, MPI_COMM_WORLD);
                    } else {
                        MPI_Gather(mine, n, t->type, all, n, t->type, root, MPI_COMM_WORLD);
                    }
                    if (rank == root) {
                        for (int r = 0; r < size; ++r)
                            check_block(t, at(t, all, (long)r * n), n, r, root, "gather");
                        char text[256];
                        describe(text, sizeof text, t, all, n * size);
                        say("gather%s %s root %d %s", how, t->name, root, text);
                    }
                    /* MPI_Scatter: the root's block r goes to rank r */
                    if (rank == root)
                        for (int r = 0; r < size; ++r)
                            for (int i = 0; i < n; ++i)
                                put(t, at(t, all, (long)r * n), i, elem(t, root, r, i));
                    memset(mine, 0, t->size * (size_t)n);
                    if (rank == root && in_place) {
                        MPI_Scatter(all, n, t->type, MPI_IN_PLACE, n, t->type, root,
                                    MPI_COMM_WORLD);
                        memcpy(mine, at(t, all, (long)root * n), t->size * (size_t)n);
                    } else {
                        MPI_Scatter(all, n, t->type, mine, n, t->type, root, MPI_COMM_WORLD);
                    }
                    check_block(t, mine, n, root, rank, "scatter");
                    if (n == 1)
                        say("scatter%s %s root %d: %lld", how, t->name, root, get(t, mine, 0));
                }
            }
            free(mine);
            free(all);
        }
    }
    say("gathers and scatters done");
}

static void all_to_all(const Type* types, int ntypes) {
    static const int counts[] = {1, 4, 300};
    int printer = 0;
    for (int ti = 0; ti < ntypes; ++ti) {
        const Type* t = &types[ti];
        for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; ++c) {
            int n = counts[c];
            void* mine = malloc(t->size * (size_t)n);
            void* all = malloc(t->size * (size_t)n * (size_t)size);
            void* out = malloc(t->size * (size_t)n * (size_t)size);
            for (int in_place = 0; in_place < 2; ++in_place) {
                const char* how = in_place ? " in place" : "";
                char text[256];
                /* MPI_Allgather: everyone gets every rank's block, in rank order */
                for (int i = 0; i < n; ++i)
                    put(t, mine, i, elem(t, rank, 0, i));
                memset(all, 0, t->size * (size_t)n * (size_t)size);
                if (in_place) {
                    memcpy(at(t, all, (long)rank * n), mine, t->size * (size_t)n);
                    MPI_Allgather(MPI_IN_PLACE, n, t->type, all, n, t->type, MPI_COMM_WORLD);
                } else {
                    MPI_Allgather(mine, n, t->type, all, n, t->type, MPI_COMM_WORLD);
                }
                for (int r = 0; r < size; ++r)
                    check_block(t, at(t, all, (long)r * n), n, r, 0, "allgather");
                if (rank == printer) {
                    describe(text, sizeof text, t, all, n * size);
                    say("allgather%s %s %s", how, t->name, text);
                }
                /* MPI_Alltoall: block d of rank r goes to rank d as its block r */
                for (int d = 0; d < size; ++d)
                    for (int i = 0; i < n; ++i)
                        put(t, at(t, all, (long)d * n), i, elem(t, rank, d, i));
                if (in_place) {
                    MPI_Alltoall(MPI_IN_PLACE, n, t->type, all, n, t->type, MPI_COMM_WORLD);
                    memcpy(out, all, t->size * (size_t)n * (size_t)size);
                } else {
                    memset(out, 0, t->size * (size_t)n * (size_t)size);
                    MPI_Alltoall(all, n, t->type, out, n, t->type, MPI_COMM_WORLD);
                }
                for (int s = 0; s < size; ++s)
                    check_block(t, at(t, out, (long)s * n), n, s, rank, "alltoall");
                describe(text, sizeof text, t, out, n * size);
                if (n == 1 || rank == printer) say("alltoall%s %s %s", how, t->name, text);
                printer = (printer + 1) % size;
            }
            free(mine);
            free(all);
            free(out);
        }
    }
    say("allgathers and alltoalls done");
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    say_init();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK(size >= 2 && size <= 20, "needs 2 to 20 ranks");

    const Type all[] = {
        {MPI_CHAR, "char", K_CHAR, sizeof(char)},
        {MPI_BYTE, "byte", K_BYTE, 1},
        {MPI_INT, "int", K_INT, sizeof(int)},
        {MPI_LONG, "long", K_LONG, sizeof(long)},
        {MPI_UNSIGNED, "unsigned", K_UNSIGNED, sizeof(unsigned)},
        {MPI_FLOAT, "float", K_FLOAT, sizeof(float)},
        {MPI_DOUBLE, "double", K_DOUBLE, sizeof(double)},
    };
    const Op ops[] = {
        {MPI_SUM, "sum", O_SUM},    {MPI_PROD, "prod", O_PROD}, {MPI_MIN, "min", O_MIN},
        {MPI_MAX, "max", O_MAX},    {MPI_LAND, "land", O_LAND}, {MPI_LOR, "lor", O_LOR},
        {MPI_BAND, "band", O_BAND}, {MPI_BOR, "bor", O_BOR},
    };
    const Type* numeric = &all[2];                 /* int long unsigned float double */
    const Type moved[] = {all[2], all[6], all[3]}; /* int double long */

    for (int i = 0; i < 3; ++i)
        MPI_Barrier(MPI_COMM_WORLD);
    broadcasts(all, 7);
    MPI_Barrier(MPI_COMM_WORLD);
    reductions(numeric, 5, ops, 8);
    MPI_Barrier(MPI_COMM_WORLD);
    gathers(moved, 3);
    MPI_Barrier(MPI_COMM_WORLD);
    all_to_all(moved, 3);

    MPI_Barrier(MPI_COMM_WORLD);
    say("OK");
    MPI_Finalize();
    return 0;
}
