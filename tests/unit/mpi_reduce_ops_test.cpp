// Reduction operators of the MPI library (mpi_shim/lib/reduce_ops.cpp, compiled for the host):
// which operation goes with which datatype (MPI-3.1 section 5.9.2), the arithmetic, MINLOC and
// MAXLOC (5.9.4) and user operations (5.9.5). The library's error handler and datatype sizes
// are stubbed here.
#include <gtest/gtest.h>

#include <stdint.h>

#include <array>

#include "mpi_shim/lib/reduce_ops.hpp"
#include "mpi_shim/lib/state.hpp"

namespace {
/// Datatype whose size the stub reports wrongly, to see check_op notice (0: none).
MPI_Datatype missized = MPI_DATATYPE_NULL;
} // namespace

namespace ipclab::mpi {
// Stubs of the library parts reduce_ops.cpp uses: errors are returned, and type_size is
// the C type's size (the table point_to_point.cpp must agree with).
int raise(MPI_Comm, int error, const char*) { return error; }
size_t type_size(MPI_Datatype datatype) {
    return datatype == missized ? op_item_size(datatype) - 4 : op_item_size(datatype);
}
} // namespace ipclab::mpi

namespace {

using ipclab::mpi::apply_op;
using ipclab::mpi::check_op;
using ipclab::mpi::op_commutative;
using ipclab::mpi::op_item_size;

constexpr MPI_Op all_ops[] = {MPI_MAX, MPI_MIN,  MPI_SUM,  MPI_PROD, MPI_LAND,   MPI_BAND,
                              MPI_LOR, MPI_BOR,  MPI_LXOR, MPI_BXOR, MPI_MINLOC, MPI_MAXLOC};

/// The operations check_op accepts for `datatype`, as a bit mask over all_ops.
unsigned accepted(MPI_Datatype datatype) {
    unsigned mask = 0;
    for (unsigned i = 0; i < sizeof all_ops / sizeof all_ops[0]; ++i)
        if (check_op(all_ops[i], datatype) == MPI_SUCCESS) mask |= 1u << i;
    return mask;
}

constexpr unsigned bit(MPI_Op op) {
    for (unsigned i = 0; i < sizeof all_ops / sizeof all_ops[0]; ++i)
        if (all_ops[i] == op) return 1u << i;
    return 0;
}
constexpr unsigned minmax = bit(MPI_MAX) | bit(MPI_MIN);
constexpr unsigned arith = bit(MPI_SUM) | bit(MPI_PROD);
constexpr unsigned logic = bit(MPI_LAND) | bit(MPI_LOR) | bit(MPI_LXOR);
constexpr unsigned bits = bit(MPI_BAND) | bit(MPI_BOR) | bit(MPI_BXOR);
constexpr unsigned loc = bit(MPI_MINLOC) | bit(MPI_MAXLOC);

TEST(MpiReduceOps, combinations_follow_section_5_9_2) {
    for (MPI_Datatype t : {MPI_INT, MPI_UNSIGNED_CHAR, MPI_SIGNED_CHAR, MPI_SHORT, MPI_LONG_LONG,
                           MPI_UNSIGNED_LONG, MPI_INT8_T, MPI_UINT64_T})
        EXPECT_EQ(accepted(t), minmax | arith | logic | bits) << t;
    for (MPI_Datatype t : {MPI_AINT, MPI_OFFSET, MPI_COUNT, MPI_INTEGER})
        EXPECT_EQ(accepted(t), minmax | arith | bits) << t;
    for (MPI_Datatype t : {MPI_FLOAT, MPI_DOUBLE, MPI_LONG_DOUBLE, MPI_REAL}) EXPECT_EQ(accepted(t), minmax | arith) << t;
    for (MPI_Datatype t : {MPI_C_FLOAT_COMPLEX, MPI_C_DOUBLE_COMPLEX, MPI_C_LONG_DOUBLE_COMPLEX, MPI_C_COMPLEX})
        EXPECT_EQ(accepted(t), arith) << t;
    for (MPI_Datatype t : {MPI_C_BOOL, MPI_CXX_BOOL, MPI_LOGICAL}) EXPECT_EQ(accepted(t), logic) << t;
    EXPECT_EQ(accepted(MPI_BYTE), bits);
    for (MPI_Datatype t : {MPI_2INT, MPI_FLOAT_INT, MPI_DOUBLE_INT, MPI_LONG_INT, MPI_SHORT_INT,
                           MPI_LONG_DOUBLE_INT, MPI_2REAL})
        EXPECT_EQ(accepted(t), loc) << t;
    for (MPI_Datatype t : {MPI_CHAR, MPI_WCHAR, MPI_PACKED, MPI_CHARACTER}) EXPECT_EQ(accepted(t), 0u) << t;
}

TEST(MpiReduceOps, bad_operations_and_datatypes) {
    EXPECT_EQ(check_op(MPI_SUM, MPI_CHAR), MPI_ERR_OP);
    EXPECT_EQ(check_op(MPI_REPLACE, MPI_INT), MPI_ERR_OP); // one-sided accumulates only
    EXPECT_EQ(check_op(MPI_NO_OP, MPI_INT), MPI_ERR_OP);
    EXPECT_EQ(check_op(MPI_OP_NULL, MPI_INT), MPI_ERR_OP);
    EXPECT_EQ(check_op(999, MPI_INT), MPI_ERR_OP);
    EXPECT_EQ(check_op(MPI_SUM, MPI_DATATYPE_NULL), MPI_ERR_TYPE);
    EXPECT_EQ(check_op(MPI_SUM, 12345), MPI_ERR_TYPE);
    missized = MPI_DOUBLE_INT; // a byte size disagreeing with the C struct is caught
    EXPECT_EQ(check_op(MPI_MINLOC, MPI_DOUBLE_INT), MPI_ERR_INTERN);
    missized = MPI_DATATYPE_NULL;
}

TEST(MpiReduceOps, pair_types_are_the_padded_c_structs) {
    EXPECT_EQ(op_item_size(MPI_2INT), 8u);
    EXPECT_EQ(op_item_size(MPI_FLOAT_INT), 8u);
    EXPECT_EQ(op_item_size(MPI_SHORT_INT), 8u);
    EXPECT_EQ(op_item_size(MPI_DOUBLE_INT), 16u);
    EXPECT_EQ(op_item_size(MPI_LONG_INT), 16u);
    EXPECT_EQ(op_item_size(MPI_LONG_DOUBLE_INT), 32u);
    EXPECT_EQ(op_item_size(MPI_C_DOUBLE_COMPLEX), 16u);
    EXPECT_EQ(op_item_size(MPI_LONG_DOUBLE), sizeof(long double));
}

/// inout after `op` with in = {a...}, inout = {b...} (inout = in op inout).
/// Reduces `in` into `io`; `count` items of `t` (default: one per array element).
template <class T, size_t N>
std::array<T, N> reduce(MPI_Op op, MPI_Datatype t, std::array<T, N> in, std::array<T, N> io, int count = int(N)) {
    EXPECT_EQ(check_op(op, t), MPI_SUCCESS);
    apply_op(op, t, in.data(), io.data(), count);
    return io;
}

TEST(MpiReduceOps, integer_arithmetic) {
    using A = std::array<int, 4>;
    const A a{5, -3, 0, 12}, b{2, 7, 0, 10};
    EXPECT_EQ(reduce(MPI_MAX, MPI_INT, a, b), (A{5, 7, 0, 12}));
    EXPECT_EQ(reduce(MPI_MIN, MPI_INT, a, b), (A{2, -3, 0, 10}));
    EXPECT_EQ(reduce(MPI_SUM, MPI_INT, a, b), (A{7, 4, 0, 22}));
    EXPECT_EQ(reduce(MPI_PROD, MPI_INT, a, b), (A{10, -21, 0, 120}));
    EXPECT_EQ(reduce(MPI_LAND, MPI_INT, a, b), (A{1, 1, 0, 1}));
    EXPECT_EQ(reduce(MPI_LOR, MPI_INT, a, A{0, 0, 0, 1}), (A{1, 1, 0, 1}));
    EXPECT_EQ(reduce(MPI_LXOR, MPI_INT, a, A{0, 1, 1, 0}), (A{1, 0, 1, 1}));
    EXPECT_EQ(reduce(MPI_BAND, MPI_INT, a, b), (A{5 & 2, -3 & 7, 0, 12 & 10}));
    EXPECT_EQ(reduce(MPI_BOR, MPI_INT, a, b), (A{5 | 2, -3 | 7, 0, 12 | 10}));
    EXPECT_EQ(reduce(MPI_BXOR, MPI_INT, a, b), (A{5 ^ 2, -3 ^ 7, 0, 12 ^ 10}));
    // Signed sums wrap around instead of being undefined.
    EXPECT_EQ(reduce(MPI_SUM, MPI_INT, std::array<int, 1>{INT32_MAX}, std::array<int, 1>{1})[0], INT32_MIN);
    EXPECT_EQ(reduce(MPI_MAX, MPI_UNSIGNED_CHAR, std::array<uint8_t, 2>{200, 3}, std::array<uint8_t, 2>{100, 4}),
              (std::array<uint8_t, 2>{200, 4}));
    EXPECT_EQ(reduce(MPI_BXOR, MPI_BYTE, std::array<uint8_t, 1>{0xf0}, std::array<uint8_t, 1>{0xff})[0], 0x0f);
    EXPECT_EQ(reduce(MPI_SUM, MPI_INT64_T, std::array<int64_t, 1>{1ll << 40}, std::array<int64_t, 1>{1})[0],
              (1ll << 40) + 1);
}

TEST(MpiReduceOps, floating_complex_and_logical) {
    using D = std::array<double, 3>;
    EXPECT_EQ(reduce(MPI_SUM, MPI_DOUBLE, D{0.5, -1, 3}, D{0.25, 2, 4}), (D{0.75, 1, 7}));
    EXPECT_EQ(reduce(MPI_PROD, MPI_DOUBLE, D{0.5, -1, 3}, D{0.25, 2, 4}), (D{0.125, -2, 12}));
    EXPECT_EQ(reduce(MPI_MAX, MPI_DOUBLE, D{0.5, -1, 3}, D{0.25, 2, 4}), (D{0.5, 2, 4}));
    EXPECT_EQ(reduce(MPI_MIN, MPI_FLOAT, std::array<float, 2>{1.5f, -2}, std::array<float, 2>{1, 3}),
              (std::array<float, 2>{1, -2}));
    // (1 + 2i)(3 + 4i) = -5 + 10i; sums add parts.
    using C = std::array<double, 2>;
    EXPECT_EQ(reduce(MPI_PROD, MPI_C_DOUBLE_COMPLEX, C{1, 2}, C{3, 4}, 1), (C{-5, 10})); // one complex item
    EXPECT_EQ(reduce(MPI_SUM, MPI_C_DOUBLE_COMPLEX, C{1, 2}, C{3, 4}, 1), (C{4, 6}));
    using B = std::array<bool, 4>;
    EXPECT_EQ(reduce(MPI_LXOR, MPI_C_BOOL, B{true, true, false, false}, B{true, false, true, false}),
              (B{false, true, true, false}));
    EXPECT_EQ(reduce(MPI_LAND, MPI_C_BOOL, B{true, true, false, false}, B{true, false, true, false}),
              (B{true, false, false, false}));
}

struct Double_int {
    double value;
    int index;
};

TEST(MpiReduceOps, minloc_and_maxloc_break_ties_by_the_smaller_index) {
    Double_int in[3] = {{1.0, 4}, {5.0, 2}, {2.0, 9}};
    Double_int io[3] = {{2.0, 1}, {5.0, 7}, {2.0, 3}};
    ASSERT_EQ(check_op(MPI_MINLOC, MPI_DOUBLE_INT), MPI_SUCCESS);
    apply_op(MPI_MINLOC, MPI_DOUBLE_INT, in, io, 3);
    EXPECT_EQ(io[0].value, 1.0);
    EXPECT_EQ(io[0].index, 4);
    EXPECT_EQ(io[1].index, 2); // tie: the smaller index
    EXPECT_EQ(io[2].index, 3);
    int pairs_in[4] = {7, 0, 3, 5}, pairs_io[4] = {7, 1, 9, 2}; // MPI_2INT: (value, index)
    apply_op(MPI_MAXLOC, MPI_2INT, pairs_in, pairs_io, 2);
    EXPECT_EQ(pairs_io[0], 7);
    EXPECT_EQ(pairs_io[1], 0);
    EXPECT_EQ(pairs_io[2], 9);
    EXPECT_EQ(pairs_io[3], 2);
}

/// A non-commutative operation: 2x2 matrix product, inout = in * inout.
void matmul(void* in, void* inout, int* len, MPI_Datatype* datatype) {
    EXPECT_EQ(*datatype, MPI_INT);
    const int* a = static_cast<const int*>(in);
    int* b = static_cast<int*>(inout);
    for (int m = 0; m < *len / 4; ++m, a += 4, b += 4) {
        const int r[4] = {a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
                          a[2] * b[1] + a[3] * b[3]};
        for (int i = 0; i < 4; ++i) b[i] = r[i];
    }
}

TEST(MpiReduceOps, user_operations) {
    MPI_Op op = MPI_OP_NULL;
    ASSERT_EQ(MPI_Op_create(matmul, 0, &op), MPI_SUCCESS);
    EXPECT_NE(op, MPI_OP_NULL);
    EXPECT_FALSE(op_commutative(op));
    int commute = -1;
    EXPECT_EQ(MPI_Op_commutative(op, &commute), MPI_SUCCESS);
    EXPECT_EQ(commute, 0);
    EXPECT_EQ(MPI_Op_commutative(MPI_SUM, &commute), MPI_SUCCESS);
    EXPECT_EQ(commute, 1);
    EXPECT_EQ(check_op(op, MPI_INT), MPI_SUCCESS);
    EXPECT_EQ(check_op(op, MPI_CHAR), MPI_SUCCESS); // a user operation takes any datatype
    int a[4] = {1, 1, 0, 1}, b[4] = {1, 0, 1, 1};  // [[1,1],[0,1]] * [[1,0],[1,1]] = [[2,1],[1,1]]
    EXPECT_EQ(MPI_Reduce_local(a, b, 4, MPI_INT, op), MPI_SUCCESS);
    EXPECT_EQ(b[0], 2);
    EXPECT_EQ(b[1], 1);
    EXPECT_EQ(b[2], 1);
    EXPECT_EQ(b[3], 1);
    EXPECT_EQ(MPI_Op_free(&op), MPI_SUCCESS);
    EXPECT_EQ(op, MPI_OP_NULL);
    EXPECT_EQ(check_op(op, MPI_INT), MPI_ERR_OP);
    MPI_Op predefined = MPI_SUM;
    EXPECT_EQ(MPI_Op_free(&predefined), MPI_ERR_OP);
    EXPECT_EQ(MPI_Op_create(nullptr, 1, &op), MPI_ERR_ARG);
}

TEST(MpiReduceOps, reduce_local_checks_its_arguments) {
    int x = 1, y = 2;
    EXPECT_EQ(MPI_Reduce_local(&x, &y, -1, MPI_INT, MPI_SUM), MPI_ERR_COUNT);
    EXPECT_EQ(MPI_Reduce_local(&x, &y, 1, MPI_INT, MPI_MINLOC), MPI_ERR_OP);
    EXPECT_EQ(MPI_Reduce_local(nullptr, &y, 1, MPI_INT, MPI_SUM), MPI_ERR_BUFFER);
    EXPECT_EQ(MPI_Reduce_local(nullptr, nullptr, 0, MPI_INT, MPI_SUM), MPI_SUCCESS);
    EXPECT_EQ(MPI_Reduce_local(&x, &y, 1, MPI_INT, MPI_SUM), MPI_SUCCESS);
    EXPECT_EQ(y, 3);
}

} // namespace
