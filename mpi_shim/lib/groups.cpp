// Process groups (MPI-3.1 section 6.3): the MPI_Group handle table and the local group
// operations. A group is an ordered list of MPI_COMM_WORLD ranks; no call communicates.
#include "mpi_shim/lib/groups.hpp"

#include <stdlib.h>
#include <string.h>

#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

/// Handle h is entry h: 0 is MPI_GROUP_NULL, 1 MPI_GROUP_EMPTY (predefined, never freed);
/// the table grows as groups are made.
struct Entry {
    Group group;
    bool used = false;
};
Entry* table = nullptr;
int table_size = 0;

/// Position of each world rank in a group (-1: not a member), for the set operations.
struct Index {
    int* position = nullptr;
    int span = 0; ///< 1 + the largest world rank in the group
    ~Index() { free(position); }
    bool build(const Group& g) {
        for (int i = 0; i < g.size; ++i)
            if (g.ranks[i] >= span) span = g.ranks[i] + 1;
        position = static_cast<int*>(malloc(sizeof(int) * size_t(span ? span : 1)));
        if (!position) return false;
        for (int r = 0; r < span; ++r) position[r] = -1;
        for (int i = 0; i < g.size; ++i) position[g.ranks[i]] = i;
        return true;
    }
    int find(int world_rank) const { return world_rank < span ? position[world_rank] : -1; }
};

/// A scratch list of world ranks, freed on scope exit.
struct Ranks {
    int* data = nullptr;
    int size = 0;
    ~Ranks() { free(data); }
    bool allocate(int capacity) {
        data = static_cast<int*>(malloc(sizeof(int) * size_t(capacity ? capacity : 1)));
        return data != nullptr;
    }
};

int fail(int error, const char* function) { return raise(MPI_COMM_WORLD, error, function); }

/// The common checks of the calls that take one group and return another.
int check(MPI_Group group, const void* out, const Group*& g, const char* function) {
    g = lookup_group(group);
    if (!g) return fail(MPI_ERR_GROUP, function);
    if (!out) return fail(MPI_ERR_ARG, function);
    return MPI_SUCCESS;
}

/// Checks `n` ranks of `g` for MPI_Group_incl/excl: MPI_ERR_ARG for a negative n or a null
/// array, MPI_ERR_RANK for a rank outside the group or one given twice (section 6.3.2).
int check_rank_list(const Group& g, int n, const int* ranks, const char* function) {
    if (n < 0 || n > g.size || (n > 0 && !ranks)) return fail(n > g.size ? MPI_ERR_RANK : MPI_ERR_ARG, function);
    char* seen = static_cast<char*>(calloc(size_t(g.size ? g.size : 1), 1));
    if (!seen) return fail(MPI_ERR_NO_MEM, function);
    for (int i = 0; i < n; ++i) {
        if (ranks[i] < 0 || ranks[i] >= g.size || seen[ranks[i]]) {
            free(seen);
            return fail(MPI_ERR_RANK, function);
        }
        seen[ranks[i]] = 1;
    }
    free(seen);
    return MPI_SUCCESS;
}

enum class Set_op { union_, intersection, difference };

/// MPI-3.1 section 6.3.2: union = all of a, then the ranks of b not in a; intersection = the
/// ranks of a also in b; difference = the ranks of a not in b; each in a's order, then b's.
int combine(MPI_Group group1, MPI_Group group2, MPI_Group* newgroup, Set_op op, const char* function) {
    const Group *a, *b;
    if (int e = check(group1, newgroup, a, function)) return e;
    if (!(b = lookup_group(group2))) return fail(MPI_ERR_GROUP, function);
    Index in_a, in_b;
    Ranks out;
    if (!in_a.build(*a) || !in_b.build(*b) || !out.allocate(a->size + b->size)) return fail(MPI_ERR_NO_MEM, function);
    for (int i = 0; i < a->size; ++i) {
        const bool also_in_b = in_b.find(a->ranks[i]) >= 0;
        if (op == Set_op::union_ || (op == Set_op::intersection) == also_in_b) out.data[out.size++] = a->ranks[i];
    }
    if (op == Set_op::union_)
        for (int i = 0; i < b->size; ++i)
            if (in_a.find(b->ranks[i]) < 0) out.data[out.size++] = b->ranks[i];
    if (int e = make_group(out.data, out.size, newgroup)) return fail(e, function);
    return MPI_SUCCESS;
}

} // namespace

const Group* lookup_group(MPI_Group handle) {
    static const Group empty{};
    if (handle == MPI_GROUP_EMPTY) return &empty;
    if (handle <= MPI_GROUP_EMPTY || handle >= table_size || !table[handle].used) return nullptr;
    return &table[handle].group;
}

int make_group(const int* ranks, int size, MPI_Group* handle) {
    if (size == 0) {
        *handle = MPI_GROUP_EMPTY;
        return MPI_SUCCESS;
    }
    int h = MPI_GROUP_EMPTY + 1;
    while (h < table_size && table[h].used) ++h;
    if (h >= table_size) { // entries 0 and 1 are never in the table: it starts at 16
        const int grown = table_size ? 2 * table_size : 16;
        Entry* t = static_cast<Entry*>(realloc(table, sizeof(Entry) * size_t(grown)));
        if (!t) return MPI_ERR_NO_MEM;
        for (int i = table_size; i < grown; ++i) t[i] = Entry{};
        table = t;
        table_size = grown;
    }
    int* copy = static_cast<int*>(malloc(sizeof(int) * size_t(size)));
    if (!copy) return MPI_ERR_NO_MEM;
    memcpy(copy, ranks, sizeof(int) * size_t(size));
    table[h] = Entry{Group{copy, size}, true};
    *handle = h;
    return MPI_SUCCESS;
}

int compare_ranks(const int* a, int size_a, const int* b, int size_b) {
    if (size_a != size_b) return MPI_UNEQUAL;
    if (size_a == 0 || memcmp(a, b, sizeof(int) * size_t(size_a)) == 0) return MPI_IDENT;
    Index in_b;
    if (!in_b.build(Group{const_cast<int*>(b), size_b})) return MPI_UNEQUAL;
    for (int i = 0; i < size_a; ++i)
        if (in_b.find(a[i]) < 0) return MPI_UNEQUAL; // ranks are distinct: equal sizes suffice
    return MPI_SIMILAR;
}

} // namespace ipclab::mpi

using namespace ipclab::mpi;

/// MPI-3.1 section 6.3.1: the number of processes in the group.
extern "C" int MPI_Group_size(MPI_Group group, int* size) {
    const Group* g;
    if (int e = check(group, size, g, "MPI_Group_size")) return e;
    *size = g->size;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.3.1: the caller's rank in the group, MPI_UNDEFINED if not a member.
extern "C" int MPI_Group_rank(MPI_Group group, int* rank) {
    const Group* g;
    if (int e = check(group, rank, g, "MPI_Group_rank")) return e;
    const Comm* world = lookup(MPI_COMM_WORLD);
    *rank = MPI_UNDEFINED;
    for (int i = 0; world && i < g->size; ++i)
        if (g->ranks[i] == world->rank) *rank = i;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.3.1: ranks2[i] = the rank in group2 of the process at ranks1[i] in
/// group1; MPI_UNDEFINED if it is not in group2, MPI_PROC_NULL for MPI_PROC_NULL.
/// Errors: MPI_ERR_GROUP, MPI_ERR_ARG (negative n, null arrays), MPI_ERR_RANK.
extern "C" int MPI_Group_translate_ranks(MPI_Group group1, int n, const int ranks1[], MPI_Group group2, int ranks2[]) {
    const char* const name = "MPI_Group_translate_ranks";
    const Group *a = lookup_group(group1), *b = lookup_group(group2);
    if (!a || !b) return fail(MPI_ERR_GROUP, name);
    if (n < 0 || (n > 0 && (!ranks1 || !ranks2))) return fail(MPI_ERR_ARG, name);
    for (int i = 0; i < n; ++i)
        if (ranks1[i] != MPI_PROC_NULL && (ranks1[i] < 0 || ranks1[i] >= a->size)) return fail(MPI_ERR_RANK, name);
    Index in_b;
    if (!in_b.build(*b)) return fail(MPI_ERR_NO_MEM, name);
    for (int i = 0; i < n; ++i) {
        if (ranks1[i] == MPI_PROC_NULL) {
            ranks2[i] = MPI_PROC_NULL;
            continue;
        }
        const int r = in_b.find(a->ranks[ranks1[i]]);
        ranks2[i] = r < 0 ? MPI_UNDEFINED : r;
    }
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.3.1: MPI_IDENT, MPI_SIMILAR or MPI_UNEQUAL.
extern "C" int MPI_Group_compare(MPI_Group group1, MPI_Group group2, int* result) {
    const Group *a, *b;
    if (int e = check(group1, result, a, "MPI_Group_compare")) return e;
    if (!(b = lookup_group(group2))) return fail(MPI_ERR_GROUP, "MPI_Group_compare");
    *result = compare_ranks(a->ranks, a->size, b->ranks, b->size);
    return MPI_SUCCESS;
}

extern "C" int MPI_Group_union(MPI_Group group1, MPI_Group group2, MPI_Group* newgroup) {
    return combine(group1, group2, newgroup, Set_op::union_, "MPI_Group_union");
}

extern "C" int MPI_Group_intersection(MPI_Group group1, MPI_Group group2, MPI_Group* newgroup) {
    return combine(group1, group2, newgroup, Set_op::intersection, "MPI_Group_intersection");
}

extern "C" int MPI_Group_difference(MPI_Group group1, MPI_Group group2, MPI_Group* newgroup) {
    return combine(group1, group2, newgroup, Set_op::difference, "MPI_Group_difference");
}

/// MPI-3.1 section 6.3.2: the n processes at `ranks` of `group`, rank i of the new group
/// being ranks[i]; MPI_GROUP_EMPTY for n = 0.
extern "C" int MPI_Group_incl(MPI_Group group, int n, const int ranks[], MPI_Group* newgroup) {
    const Group* g;
    if (int e = check(group, newgroup, g, "MPI_Group_incl")) return e;
    if (int e = check_rank_list(*g, n, ranks, "MPI_Group_incl")) return e;
    Ranks out;
    if (!out.allocate(n)) return fail(MPI_ERR_NO_MEM, "MPI_Group_incl");
    for (int i = 0; i < n; ++i) out.data[i] = g->ranks[ranks[i]];
    if (int e = make_group(out.data, n, newgroup)) return fail(e, "MPI_Group_incl");
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.3.2: `group` without the n processes at `ranks`, in the old order.
extern "C" int MPI_Group_excl(MPI_Group group, int n, const int ranks[], MPI_Group* newgroup) {
    const Group* g;
    if (int e = check(group, newgroup, g, "MPI_Group_excl")) return e;
    if (int e = check_rank_list(*g, n, ranks, "MPI_Group_excl")) return e;
    Ranks out;
    char* excluded = static_cast<char*>(calloc(size_t(g->size ? g->size : 1), 1));
    if (!excluded || !out.allocate(g->size)) {
        free(excluded);
        return fail(MPI_ERR_NO_MEM, "MPI_Group_excl");
    }
    for (int i = 0; i < n; ++i) excluded[ranks[i]] = 1;
    for (int i = 0; i < g->size; ++i)
        if (!excluded[i]) out.data[out.size++] = g->ranks[i];
    free(excluded);
    if (int e = make_group(out.data, out.size, newgroup)) return fail(e, "MPI_Group_excl");
    return MPI_SUCCESS;
}

/// MPI-3.1 section 6.3.3: frees the group and sets *group to MPI_GROUP_NULL. Freeing
/// MPI_GROUP_EMPTY, which group constructors return for empty results, only clears the handle.
extern "C" int MPI_Group_free(MPI_Group* group) {
    if (!group) return fail(MPI_ERR_ARG, "MPI_Group_free");
    if (!lookup_group(*group)) return fail(MPI_ERR_GROUP, "MPI_Group_free");
    if (*group != MPI_GROUP_EMPTY) {
        free(table[*group].group.ranks);
        table[*group] = Entry{};
    }
    *group = MPI_GROUP_NULL;
    return MPI_SUCCESS;
}
