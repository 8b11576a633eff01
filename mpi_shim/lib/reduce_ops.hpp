// Reduction operators inside the library: which operation may combine which datatype, and the
// arithmetic the reducing collectives and MPI_Reduce_local apply (MPI-3.1 section 5.9).
#pragma once

#include <stddef.h>

#include "mpi.h"

namespace ipclab::mpi {

/// MPI_SUCCESS if `op` may combine items of `datatype`: a predefined operation with the
/// datatypes MPI-3.1 section 5.9.2 allows for it, a user operation (section 5.9.5) with any
/// predefined datatype. Otherwise MPI_ERR_OP (unknown or freed operation, or a combination
/// the standard does not define, e.g. MPI_SUM on MPI_CHAR or MPI_MINLOC on MPI_INT),
/// MPI_ERR_TYPE (`datatype` is no datatype) or MPI_ERR_INTERN (the library's byte size of
/// `datatype`, type_size, disagrees with the C type the arithmetic uses).
int check_op(MPI_Op op, MPI_Datatype datatype);

/// Whether `op` is commutative: every predefined operation is; a user operation as it was
/// created (MPI_Op_create's `commute`). Precondition: check_op succeeded.
bool op_commutative(MPI_Op op);

/// inout[i] = in[i] op inout[i] for `count` items of `datatype` (the operand order of
/// MPI_User_function, MPI-3.1 section 5.9.5: `in` holds the lower ranks' contribution when
/// order matters). Precondition: check_op(op, datatype) == MPI_SUCCESS, count >= 0.
void apply_op(MPI_Op op, MPI_Datatype datatype, const void* in, void* inout, int count);

/// Bytes of one item of `datatype` as the arithmetic sees it (sizeof its C type), 0 if no
/// predefined operation applies to it. For the host unit test and the check in check_op.
size_t op_item_size(MPI_Datatype datatype);

} // namespace ipclab::mpi
