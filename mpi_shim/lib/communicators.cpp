// Communicators (MPI-3.1 sections 6.4 and 6.8): the MPI_Comm handle table, the queries, and
// the constructors, each of which asks the kernel for a new communicator (comm_create).
#include <stdlib.h>
#include <string.h>

#include "abi/capability.hpp"
#include "ipclab/syscall.hpp"
#include "mpi_shim/lib/collectives.hpp"
#include "mpi_shim/lib/groups.hpp"
#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

/// Handle h is entry h: 0 is MPI_COMM_NULL, 1 MPI_COMM_WORLD, 2 MPI_COMM_SELF. A task has
/// cap_slots capability slots, which bounds the communicators it can hold anyway.
constexpr int max_comms = int(cap_slots);
struct Entry {
    bool used = false;
    Comm comm;
    char name[MPI_MAX_OBJECT_NAME] = {};
};
Entry table[max_comms];

/// The capability slots the library gives new communicators: first_slot and up, skipping
/// slots the task already holds (the run description fills the low ones).
constexpr unsigned first_slot = 16;
bool slot_ours[cap_slots];

/// Finds a free capability slot: MPI_SUCCESS or MPI_ERR_NO_MEM (none left).
int allocate_slot(uint64_t& slot) {
    for (unsigned s = first_slot; s < cap_slots; ++s) {
        if (slot_ours[s]) continue;
        Syscall_registers r;
        r.r[0] = s;
        if (sys::cap_info(r) == Status::ok) continue; // occupied by someone else's capability
        slot_ours[s] = true;
        slot = s;
        return MPI_SUCCESS;
    }
    return MPI_ERR_NO_MEM;
}

/// Deletes the capability in `slot` (if any) and gives the slot back.
void release_slot(uint64_t slot) {
    Syscall_registers r;
    r.r[0] = slot;
    (void)sys::cap_delete(r);
    slot_ours[slot] = false;
}

/// Keys of comm_create (abi/syscall.hpp), which pairs the members' calls by key and group.
/// Constructors collective over the parent count on the parent (Comm::creations advances the
/// same on every member); MPI_Comm_create_group, collective over the group only, uses its tag.
enum class Kind : uint64_t { self = 1, dup = 2, split = 3, create = 4 };
uint64_t parent_key(Comm& parent, Kind kind) {
    return 1ull << 62 | uint64_t(kind) << 56 | (parent.creations++ & ((1ull << 56) - 1));
}
uint64_t group_key(int tag) { return 1ull << 63 | uint32_t(tag); }

/// Creates the communicator of `n` parent ranks `ranks` (listed in new-rank order, the
/// caller among them) and its handle: MPI_SUCCESS or an error class.
int create(const Comm& parent, const int* ranks, int n, uint64_t key, MPI_Comm* newcomm) {
    int h = MPI_COMM_WORLD;
    while (h < max_comms && table[h].used) ++h;
    if (h == max_comms) return MPI_ERR_NO_MEM;
    int* world_ranks = static_cast<int*>(malloc(sizeof(int) * size_t(n)));
    if (!world_ranks) return MPI_ERR_NO_MEM;
    uint64_t slot;
    if (int e = allocate_slot(slot)) {
        free(world_ranks);
        return e;
    }
    Syscall_registers r;
    r.r[0] = parent.slot;
    r.r[1] = reinterpret_cast<uint64_t>(ranks);
    r.r[2] = uint64_t(n);
    r.r[3] = key;
    r.r[4] = slot;
    Status s = sys::comm_create(r);
    if (s != Status::ok || int(r.r[1]) != n) {
        free(world_ranks);
        release_slot(slot);
        return s != Status::ok ? error_class(s) : MPI_ERR_INTERN;
    }
    for (int i = 0; i < n; ++i) world_ranks[i] = parent.world_ranks[ranks[i]];
    table[h] = Entry{};
    table[h].used = true;
    // MPI-3.1 section 8.3: a new communicator inherits the error handler of its parent.
    table[h].comm = Comm{slot, int(r.r[0]), n, world_ranks, parent.errhandler, 0};
    live_comms[h] = &table[h].comm;
    *newcomm = h;
    return MPI_SUCCESS;
}

/// The ranks in `parent` of the members of group `g` (in group order) into `out`, and the
/// caller's index in the group (-1 if not a member): MPI_SUCCESS, MPI_ERR_GROUP (a member
/// outside the parent) or MPI_ERR_NO_MEM.
int parent_ranks(const Comm& parent, const Group& g, int* out, int& mine) {
    const Comm* world = lookup(MPI_COMM_WORLD);
    int* in_parent = static_cast<int*>(malloc(sizeof(int) * size_t(world->size)));
    if (!in_parent) return MPI_ERR_NO_MEM;
    for (int r = 0; r < world->size; ++r) in_parent[r] = -1;
    for (int r = 0; r < parent.size; ++r) in_parent[parent.world_ranks[r]] = r;
    mine = -1;
    int e = MPI_SUCCESS;
    for (int i = 0; i < g.size && !e; ++i) {
        out[i] = g.ranks[i] < world->size ? in_parent[g.ranks[i]] : -1;
        if (out[i] < 0) e = MPI_ERR_GROUP;
        if (out[i] == parent.rank) mine = i;
    }
    free(in_parent);
    return e;
}

/// MPI_Comm_create and MPI_Comm_create_group: the communicator of `group`'s members, or
/// MPI_COMM_NULL for a caller outside it. `by_tag`: the key is the tag's (create_group),
/// otherwise the parent's count.
int create_from_group(MPI_Comm comm, MPI_Group group, bool by_tag, int tag, MPI_Comm* newcomm, const char* name) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, name);
    if (!newcomm) return raise(comm, MPI_ERR_ARG, name);
    const Group* g = lookup_group(group);
    if (!g) return raise(comm, MPI_ERR_GROUP, name);
    if (by_tag && (tag < 0 || tag > comm_tag_ub)) return raise(comm, MPI_ERR_TAG, name);
    const uint64_t key = by_tag ? group_key(tag) : parent_key(*c, Kind::create);
    coll::Buffer ranks;
    if (!ranks.allocate(sizeof(int) * size_t(g->size))) return raise(comm, MPI_ERR_NO_MEM, name);
    int* r = reinterpret_cast<int*>(ranks.data);
    int mine;
    if (int e = parent_ranks(*c, *g, r, mine)) return raise(comm, e, name);
    *newcomm = MPI_COMM_NULL;
    if (mine < 0) return MPI_SUCCESS;
    return raise(comm, create(*c, r, g->size, key, newcomm), name);
}

/// A member of a split: MPI_Comm_split orders the new ranks by key, then by parent rank.
struct Member {
    int key;
    int rank;
};

int by_key_then_rank(const void* a, const void* b) {
    const Member& x = *static_cast<const Member*>(a);
    const Member& y = *static_cast<const Member*>(b);
    if (x.key != y.key) return x.key < y.key ? -1 : 1;
    return x.rank < y.rank ? -1 : x.rank > y.rank;
}

} // namespace

Comm* live_comms[cap_slots];

int init_communicators(int rank, int size) {
    int* world_ranks = static_cast<int*>(malloc(sizeof(int) * size_t(size)));
    if (!world_ranks) return MPI_ERR_NO_MEM;
    for (int i = 0; i < size; ++i) world_ranks[i] = i;
    table[MPI_COMM_WORLD].used = true;
    table[MPI_COMM_WORLD].comm = Comm{slot_comm_world, rank, size, world_ranks, MPI_ERRORS_ARE_FATAL, 0};
    live_comms[MPI_COMM_WORLD] = &table[MPI_COMM_WORLD].comm;
    strcpy(table[MPI_COMM_WORLD].name, "MPI_COMM_WORLD");
    // MPI_COMM_SELF: a one-rank kernel communicator of its own, so its traffic is kept apart
    // from MPI_COMM_WORLD's. The group [rank] is unique to the caller; the key need not be.
    MPI_Comm self;
    Comm& world = table[MPI_COMM_WORLD].comm;
    if (int e = create(world, &rank, 1, 1ull << 62 | uint64_t(Kind::self) << 56, &self)) return e;
    if (self != MPI_COMM_SELF) return MPI_ERR_INTERN;
    strcpy(table[MPI_COMM_SELF].name, "MPI_COMM_SELF");
    return MPI_SUCCESS;
}

} // namespace ipclab::mpi

using namespace ipclab::mpi;

/// MPI-3.1 section 6.4.1. Errors: MPI_ERR_COMM, MPI_ERR_ARG (null pointer).
extern "C" int MPI_Comm_size(MPI_Comm comm, int* size) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Comm_size");
    if (!size) return raise(comm, MPI_ERR_ARG, "MPI_Comm_size");
    *size = c->size;
    return MPI_SUCCESS;
}

extern "C" int MPI_Comm_rank(MPI_Comm comm, int* rank) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Comm_rank");
    if (!rank) return raise(comm, MPI_ERR_ARG, "MPI_Comm_rank");
    *rank = c->rank;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.4.1: MPI_IDENT (one handle), MPI_CONGRUENT (same ranks in the same
/// order), MPI_SIMILAR (same ranks, another order), else MPI_UNEQUAL.
extern "C" int MPI_Comm_compare(MPI_Comm comm1, MPI_Comm comm2, int* result) {
    const Comm *a = lookup(comm1), *b = lookup(comm2);
    if (!a || !b) return raise(a ? comm2 : comm1, MPI_ERR_COMM, "MPI_Comm_compare");
    if (!result) return raise(comm1, MPI_ERR_ARG, "MPI_Comm_compare");
    if (comm1 == comm2) {
        *result = MPI_IDENT;
        return MPI_SUCCESS;
    }
    const int r = compare_ranks(a->world_ranks, a->size, b->world_ranks, b->size);
    *result = r == MPI_IDENT ? MPI_CONGRUENT : r;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.4.2: a new communicator with the same group and error handler
/// (attributes: only the predefined ones exist; the name is not copied, section 6.8).
extern "C" int MPI_Comm_dup(MPI_Comm comm, MPI_Comm* newcomm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Comm_dup");
    if (!newcomm) return raise(comm, MPI_ERR_ARG, "MPI_Comm_dup");
    const uint64_t key = parent_key(*c, Kind::dup);
    coll::Buffer ranks;
    if (!ranks.allocate(sizeof(int) * size_t(c->size))) return raise(comm, MPI_ERR_NO_MEM, "MPI_Comm_dup");
    int* r = reinterpret_cast<int*>(ranks.data);
    for (int i = 0; i < c->size; ++i) r[i] = i;
    return raise(comm, create(*c, r, c->size, key, newcomm), "MPI_Comm_dup");
}

/// MPI-3.1 section 6.4.2: one communicator per color (>= 0) holding the ranks that gave it,
/// ordered by key, then by rank in `comm`; MPI_COMM_NULL for MPI_UNDEFINED. The (color, key)
/// pairs travel by an allgather on `comm`'s collective context.
/// Errors: MPI_ERR_COMM, MPI_ERR_ARG (negative color, null pointer), MPI_ERR_NO_MEM.
extern "C" int MPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm* newcomm) {
    const char* const name = "MPI_Comm_split";
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, name);
    if (!newcomm || (color < 0 && color != MPI_UNDEFINED)) return raise(comm, MPI_ERR_ARG, name);
    const uint64_t kernel_key = parent_key(*c, Kind::split);
    const int p = c->size;
    coll::Buffer pairs, members, ranks;
    if (!pairs.allocate(2 * sizeof(int) * size_t(p)) || !members.allocate(sizeof(Member) * size_t(p)) ||
        !ranks.allocate(sizeof(int) * size_t(p)))
        return raise(comm, MPI_ERR_NO_MEM, name);
    int* all = reinterpret_cast<int*>(pairs.data);
    all[2 * c->rank] = color;
    all[2 * c->rank + 1] = key;
    coll::Layout layout;
    layout.item = 2 * sizeof(int);
    layout.count = 1;
    if (int e = coll::ring_allgather(*c, pairs.data, layout, coll::tag_comm_split)) return raise(comm, e, name);
    *newcomm = MPI_COMM_NULL;
    if (color == MPI_UNDEFINED) return MPI_SUCCESS;
    Member* m = reinterpret_cast<Member*>(members.data);
    int n = 0;
    for (int r = 0; r < p; ++r)
        if (all[2 * r] == color) m[n++] = Member{all[2 * r + 1], r};
    qsort(m, size_t(n), sizeof(Member), by_key_then_rank);
    int* r = reinterpret_cast<int*>(ranks.data);
    for (int i = 0; i < n; ++i) r[i] = m[i].rank;
    return raise(comm, create(*c, r, n, kernel_key, newcomm), name);
}

/// MPI-3.1 section 6.4.2: collective over `comm`; every caller passes a subgroup of comm's
/// group (identical or disjoint ones); members get the communicator of their group, the
/// others MPI_COMM_NULL. Errors: MPI_ERR_COMM, MPI_ERR_GROUP, MPI_ERR_ARG.
extern "C" int MPI_Comm_create(MPI_Comm comm, MPI_Group group, MPI_Comm* newcomm) {
    return create_from_group(comm, group, false, 0, newcomm, "MPI_Comm_create");
}

/// MPI-3.1 section 6.4.2: collective over the members of `group` only, which `tag` tells
/// apart from other concurrent calls; a caller outside the group gets MPI_COMM_NULL.
/// Errors: MPI_ERR_COMM, MPI_ERR_GROUP, MPI_ERR_TAG, MPI_ERR_ARG.
extern "C" int MPI_Comm_create_group(MPI_Comm comm, MPI_Group group, int tag, MPI_Comm* newcomm) {
    return create_from_group(comm, group, true, tag, newcomm, "MPI_Comm_create_group");
}

/// MPI-3.1 section 6.4.3: releases the communicator and sets *comm to MPI_COMM_NULL.
/// Errors: MPI_ERR_ARG (null pointer), MPI_ERR_COMM (invalid, MPI_COMM_WORLD, MPI_COMM_SELF).
extern "C" int MPI_Comm_free(MPI_Comm* comm) {
    if (!comm) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Comm_free");
    Comm* c = lookup(*comm);
    if (!c || *comm == MPI_COMM_WORLD || *comm == MPI_COMM_SELF) return raise(*comm, MPI_ERR_COMM, "MPI_Comm_free");
    release_slot(c->slot);
    free(c->world_ranks);
    table[*comm] = Entry{};
    live_comms[*comm] = nullptr;
    *comm = MPI_COMM_NULL;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.3.2: a new group handle for the communicator's group.
extern "C" int MPI_Comm_group(MPI_Comm comm, MPI_Group* group) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Comm_group");
    if (!group) return raise(comm, MPI_ERR_ARG, "MPI_Comm_group");
    return raise(comm, make_group(c->world_ranks, c->size, group), "MPI_Comm_group");
}

/// MPI-3.1 section 6.6.1: every communicator here is an intracommunicator.
extern "C" int MPI_Comm_test_inter(MPI_Comm comm, int* flag) {
    if (!lookup(comm)) return raise(comm, MPI_ERR_COMM, "MPI_Comm_test_inter");
    if (!flag) return raise(comm, MPI_ERR_ARG, "MPI_Comm_test_inter");
    *flag = 0;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.8: a local name, cut to MPI_MAX_OBJECT_NAME - 1 characters.
extern "C" int MPI_Comm_set_name(MPI_Comm comm, const char* comm_name) {
    if (!lookup(comm)) return raise(comm, MPI_ERR_COMM, "MPI_Comm_set_name");
    if (!comm_name) return raise(comm, MPI_ERR_ARG, "MPI_Comm_set_name");
    char* name = table[comm].name;
    strncpy(name, comm_name, MPI_MAX_OBJECT_NAME - 1);
    name[MPI_MAX_OBJECT_NAME - 1] = 0;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.8: the name set last ("MPI_COMM_WORLD" and "MPI_COMM_SELF" for the
/// predefined ones, empty if none), *resultlen its length.
extern "C" int MPI_Comm_get_name(MPI_Comm comm, char* comm_name, int* resultlen) {
    if (!lookup(comm)) return raise(comm, MPI_ERR_COMM, "MPI_Comm_get_name");
    if (!comm_name || !resultlen) return raise(comm, MPI_ERR_ARG, "MPI_Comm_get_name");
    strcpy(comm_name, table[comm].name);
    *resultlen = int(strlen(comm_name));
    return MPI_SUCCESS;
}
