/* Communicator creation (MPI-3.1 chapter 6): MPI_Comm_split by parity with reversed keys, a
 * split in which some ranks pass MPI_UNDEFINED and get MPI_COMM_NULL, MPI_Comm_dup (of the
 * world and of a split), MPI_Comm_create_group of the first half; inside each, sizes, ranks,
 * MPI_Bcast, MPI_Allreduce, MPI_Barrier, a MPI_Sendrecv ring and rank translation to
 * MPI_COMM_WORLD; traffic on a duplicate never matches traffic on its parent. Everything is
 * freed. Any size >= 2. */
#include <stdlib.h>

#include "check.h"

/* Collectives inside `comm` and its ranks in MPI_COMM_WORLD, printed as "<name>: ..." lines. */
static void exercise(MPI_Comm comm, const char* name, int world_rank) {
    int size, rank;
    MPI_Comm_size(comm, &size);
    MPI_Comm_rank(comm, &rank);

    int root_world = world_rank; /* the root's world rank, broadcast from the last rank */
    MPI_Bcast(&root_world, 1, MPI_INT, size - 1, comm);
    int sum = 0, max = 0, mine[2] = {world_rank, 1}, both[2];
    MPI_Allreduce(&world_rank, &sum, 1, MPI_INT, MPI_SUM, comm);
    MPI_Allreduce(&world_rank, &max, 1, MPI_INT, MPI_MAX, comm);
    MPI_Allreduce(mine, both, 2, MPI_INT, MPI_SUM, comm);
    CHECK(both[0] == sum && both[1] == size, "allreduce of two ints");
    MPI_Barrier(comm);
    int left_world = -1; /* point-to-point inside comm: a ring of world ranks */
    MPI_Sendrecv(&world_rank, 1, MPI_INT, (rank + 1) % size, 3, &left_world, 1, MPI_INT,
                 (rank - 1 + size) % size, 3, comm, MPI_STATUS_IGNORE);

    MPI_Group group, world_group;
    MPI_Comm_group(comm, &group);
    MPI_Comm_group(MPI_COMM_WORLD, &world_group);
    int group_size;
    MPI_Group_size(group, &group_size);
    CHECK(group_size == size, "MPI_Group_size");
    int* ranks = malloc(sizeof(int) * (size_t)size);
    int* world = malloc(sizeof(int) * (size_t)size);
    for (int i = 0; i < size; ++i)
        ranks[i] = i;
    MPI_Group_translate_ranks(group, size, ranks, world_group, world);
    CHECK(world[rank] == world_rank, "translation of my own rank");
    CHECK(world[size - 1] == root_world, "translation of the broadcast root");
    CHECK(world[(rank - 1 + size) % size] == left_world, "ring inside the communicator");
    char text[256];
    int used = 0;
    for (int i = 0; i < size; ++i)
        used += snprintf(text + used, sizeof text - (size_t)used, " %d", world[i]);
    /* and back: world ranks outside the group translate to MPI_UNDEFINED */
    int world_size, outside = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    for (int w = 0; w < world_size; ++w) {
        int back;
        MPI_Group_translate_ranks(world_group, 1, &w, group, &back);
        if (back == MPI_UNDEFINED) {
            ++outside;
        } else {
            CHECK(back >= 0 && back < size && world[back] == w, "translation back");
        }
    }
    CHECK(outside == world_size - size, "ranks outside the group");
    MPI_Group_free(&group);
    MPI_Group_free(&world_group);
    CHECK(group == MPI_GROUP_NULL && world_group == MPI_GROUP_NULL,
          "MPI_Group_free sets MPI_GROUP_NULL");
    free(ranks);
    free(world);

    say("%s: rank %d of %d, bcast root world %d, sum %d, max %d, world ranks%s, %d outside", name,
        rank, size, root_world, sum, max, text, outside);
}

/* A duplicate is a separate matching context: rank 0 sends on dup, then on world, same tag;
 * rank 1 receives world first, which must not take the dup message. (No wildcard tags here:
 * Open MPI 4.1.4's MPI_Comm_create_group sends point-to-point on the parent with the user's tag,
 * which MPI_ANY_TAG receives on MPI_COMM_WORLD see, despite MPI-3.1 section 6.4.2.) */
static void isolation(MPI_Comm dup, int rank) {
    if (rank == 0) {
        int a = 111, b = 222;
        MPI_Request reqs[2];
        MPI_Isend(&a, 1, MPI_INT, 1, 4, dup, &reqs[0]);
        MPI_Isend(&b, 1, MPI_INT, 1, 4, MPI_COMM_WORLD, &reqs[1]);
        MPI_Waitall(2, reqs, MPI_STATUSES_IGNORE);
    } else if (rank == 1) {
        int a = 0, b = 0;
        MPI_Recv(&b, 1, MPI_INT, 0, 4, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Recv(&a, 1, MPI_INT, 0, 4, dup, MPI_STATUS_IGNORE);
        CHECK(a == 111 && b == 222, "a message crossed from one communicator to another");
        say("dup isolation: world got %d, dup got %d", b, a);
    }
}

int main(int argc, char** argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    say_init();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK(size >= 2 && size <= 40, "needs 2 to 40 ranks");

    /* split by parity, keys reversed: the highest world rank of each colour gets rank 0 */
    MPI_Comm parity;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, size - rank, &parity);
    CHECK(parity != MPI_COMM_NULL, "split by parity gave MPI_COMM_NULL");
    exercise(parity, rank % 2 ? "odd" : "even", rank);

    /* a duplicate of the split, used at the same time as the split itself */
    MPI_Comm parity_dup;
    MPI_Comm_dup(parity, &parity_dup);
    exercise(parity_dup, rank % 2 ? "odd dup" : "even dup", rank);
    MPI_Comm_free(&parity_dup);

    /* every third rank (world ranks 2, 5, ...) stays out; equal keys keep the world order */
    MPI_Comm some;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 3 == 2 ? MPI_UNDEFINED : 7, 0, &some);
    if (rank % 3 == 2) {
        CHECK(some == MPI_COMM_NULL, "MPI_UNDEFINED colour did not give MPI_COMM_NULL");
        say("undefined split: MPI_COMM_NULL");
    } else {
        CHECK(some != MPI_COMM_NULL, "split gave MPI_COMM_NULL");
        exercise(some, "defined split", rank);
        MPI_Comm_free(&some);
        CHECK(some == MPI_COMM_NULL, "MPI_Comm_free sets MPI_COMM_NULL");
    }

    MPI_Comm dup;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    exercise(dup, "world dup", rank);
    isolation(dup, rank);
    MPI_Barrier(MPI_COMM_WORLD);

    /* the first half (rounded up) by MPI_Comm_create_group, called by its members only */
    int half = (size + 1) / 2;
    if (rank < half) {
        MPI_Group world_group, first;
        MPI_Comm_group(MPI_COMM_WORLD, &world_group);
        int* members = malloc(sizeof(int) * (size_t)half);
        for (int i = 0; i < half; ++i)
            members[i] = i;
        MPI_Group_incl(world_group, half, members, &first);
        MPI_Comm created;
        MPI_Comm_create_group(MPI_COMM_WORLD, first, 17, &created);
        CHECK(created != MPI_COMM_NULL, "MPI_Comm_create_group gave MPI_COMM_NULL to a member");
        exercise(created, "first half", rank);
        MPI_Comm_free(&created);
        MPI_Group_free(&first);
        MPI_Group_free(&world_group);
        free(members);
    }

    /* the parent communicators still work after their children are freed */
    int total = 0;
    MPI_Allreduce(&rank, &total, 1, MPI_INT, MPI_SUM, parity);
    MPI_Comm_free(&parity);
    MPI_Comm_free(&dup);
    MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    int expect = 0; /* each rank contributed the sum of the ranks of its parity */
    for (int r = 0; r < size; ++r)
        for (int q = r % 2; q < size; q += 2)
            expect += q;
    CHECK(total == expect, "allreduce after freeing");
    say("world after frees: %d", total);
    MPI_Barrier(MPI_COMM_WORLD);
    say("OK");
    MPI_Finalize();
    return 0;
}
