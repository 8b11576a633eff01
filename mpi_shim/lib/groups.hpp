// Process groups inside the library (MPI-3.1 section 6.3): a group is an ordered list of
// MPI_COMM_WORLD ranks; groups.cpp keeps the MPI_Group handle table.
#pragma once

#include "mpi.h"

namespace ipclab::mpi {

/// A group: `size` distinct MPI_COMM_WORLD ranks; group rank i is world rank `ranks[i]`.
struct Group {
    int* ranks = nullptr;
    int size = 0;
};

/// The group behind `handle` (MPI_GROUP_EMPTY included), or nullptr if it is not valid now.
const Group* lookup_group(MPI_Group handle);

/// A new handle for a group of `size` world ranks (copied from `ranks`): MPI_GROUP_EMPTY if
/// `size` is 0. Returns MPI_SUCCESS or MPI_ERR_NO_MEM.
int make_group(const int* ranks, int size, MPI_Group* handle);

/// MPI_IDENT (the same ranks in the same order), MPI_SIMILAR (the same ranks in another
/// order) or MPI_UNEQUAL: MPI_Group_compare's result for two rank lists (section 6.3.1).
int compare_ranks(const int* a, int size_a, const int* b, int size_b);

} // namespace ipclab::mpi
