// Reduction operators (MPI-3.1 section 5.9): the predefined operations on every datatype
// section 5.9.2 allows, user operations (MPI_Op_create, section 5.9.5) and MPI_Reduce_local.
#include "mpi_shim/lib/reduce_ops.hpp"

#include <stdint.h>

#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

/// The datatype groups of MPI-3.1 section 5.9.2, which decide the operations allowed.
enum class Kind : uint8_t {
    c_integer, ///< MAX MIN SUM PROD LAND LOR LXOR BAND BOR BXOR
    integer,   ///< Fortran integers and the multi-language types (MPI_AINT, MPI_OFFSET,
               ///< MPI_COUNT): MAX MIN SUM PROD BAND BOR BXOR
    floating,  ///< MAX MIN SUM PROD
    complex,   ///< SUM PROD
    logical,   ///< LAND LOR LXOR
    byte,      ///< BAND BOR BXOR
    pair,      ///< MINLOC MAXLOC (value, index)
    none,      ///< text and packed data: no predefined operation
};

using Kernel = void (*)(MPI_Op op, const void* in, void* inout, int count);

/// inout[i] = f(in[i], inout[i]), the loop every operation shares.
template <class T, class F> void each(const void* in, void* inout, int count, F f) {
    const T* a = static_cast<const T*>(in);
    T* b = static_cast<T*>(inout);
    for (int i = 0; i < count; ++i) b[i] = f(a[i], b[i]);
}

/// The logical operations, on integers and C _Bool alike: nonzero is true, results are 0 or 1.
template <class T> void logical(MPI_Op op, const void* in, void* inout, int n) {
    switch (op) {
    case MPI_LAND: each<T>(in, inout, n, [](T a, T b) { return T(a && b); }); break;
    case MPI_LOR: each<T>(in, inout, n, [](T a, T b) { return T(a || b); }); break;
    case MPI_LXOR: each<T>(in, inout, n, [](T a, T b) { return T(!a != !b); }); break;
    }
}

/// Integers of every width. Sums and products wrap around (two's complement) instead of
/// overflowing, which would be undefined for signed types in C++.
template <class T> void integer(MPI_Op op, const void* in, void* inout, int n) {
    switch (op) {
    case MPI_MAX: each<T>(in, inout, n, [](T a, T b) { return a > b ? a : b; }); break;
    case MPI_MIN: each<T>(in, inout, n, [](T a, T b) { return a < b ? a : b; }); break;
    case MPI_SUM: each<T>(in, inout, n, [](T a, T b) { T r; (void)__builtin_add_overflow(a, b, &r); return r; }); break;
    case MPI_PROD: each<T>(in, inout, n, [](T a, T b) { T r; (void)__builtin_mul_overflow(a, b, &r); return r; }); break;
    case MPI_BAND: each<T>(in, inout, n, [](T a, T b) { return T(a & b); }); break;
    case MPI_BOR: each<T>(in, inout, n, [](T a, T b) { return T(a | b); }); break;
    case MPI_BXOR: each<T>(in, inout, n, [](T a, T b) { return T(a ^ b); }); break;
    default: logical<T>(op, in, inout, n); break;
    }
}

template <class T> void floating(MPI_Op op, const void* in, void* inout, int n) {
    switch (op) {
    case MPI_MAX: each<T>(in, inout, n, [](T a, T b) { return a > b ? a : b; }); break;
    case MPI_MIN: each<T>(in, inout, n, [](T a, T b) { return a < b ? a : b; }); break;
    case MPI_SUM: each<T>(in, inout, n, [](T a, T b) { return a + b; }); break;
    case MPI_PROD: each<T>(in, inout, n, [](T a, T b) { return a * b; }); break;
    }
}

/// The layout of C's `T _Complex` (C11 6.2.5: an array of two T, real part first).
template <class T> struct Complex {
    T re, im;
};

template <class T> void complex(MPI_Op op, const void* in, void* inout, int n) {
    using C = Complex<T>;
    switch (op) {
    case MPI_SUM: each<C>(in, inout, n, [](C a, C b) { return C{a.re + b.re, a.im + b.im}; }); break;
    case MPI_PROD:
        each<C>(in, inout, n, [](C a, C b) { return C{a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; });
        break;
    }
}

/// The pair types of MINLOC and MAXLOC (MPI-3.1 section 5.9.4): struct { T value; int index; }
/// in C; the Fortran pairs (MPI_2REAL, ...) hold the index in the value's type.
template <class T, class I> struct Pair {
    T value;
    I index;
};

/// MPI-3.1 section 5.9.4: the smaller (larger) value with its index; on a tie the smaller index.
template <class T, class I = int> void pair(MPI_Op op, const void* in, void* inout, int n) {
    using P = Pair<T, I>;
    if (op == MPI_MINLOC) {
        each<P>(in, inout, n, [](P a, P b) {
            if (a.value != b.value) return a.value < b.value ? a : b;
            return P{a.value, a.index < b.index ? a.index : b.index};
        });
    } else if (op == MPI_MAXLOC) {
        each<P>(in, inout, n, [](P a, P b) {
            if (a.value != b.value) return a.value > b.value ? a : b;
            return P{a.value, a.index < b.index ? a.index : b.index};
        });
    }
}

struct Type_row {
    MPI_Datatype datatype;
    Kind kind;
    size_t item; ///< sizeof the C type: must equal type_size(datatype)
    Kernel kernel;
};

/// Every predefined datatype and the C type the arithmetic treats it as (MPI-3.1 table 3.2
/// and section 5.9.4). Searched linearly, so aliases with one value do no harm.
const Type_row type_rows[] = {
    // C (MPI-3.1 table 3.2)
    {MPI_CHAR, Kind::none, sizeof(char), nullptr},
    {MPI_WCHAR, Kind::none, sizeof(wchar_t), nullptr},
    {MPI_PACKED, Kind::none, 1, nullptr},
    {MPI_SIGNED_CHAR, Kind::c_integer, sizeof(signed char), integer<signed char>},
    {MPI_UNSIGNED_CHAR, Kind::c_integer, sizeof(unsigned char), integer<unsigned char>},
    {MPI_SHORT, Kind::c_integer, sizeof(short), integer<short>},
    {MPI_UNSIGNED_SHORT, Kind::c_integer, sizeof(unsigned short), integer<unsigned short>},
    {MPI_INT, Kind::c_integer, sizeof(int), integer<int>},
    {MPI_UNSIGNED, Kind::c_integer, sizeof(unsigned), integer<unsigned>},
    {MPI_LONG, Kind::c_integer, sizeof(long), integer<long>},
    {MPI_UNSIGNED_LONG, Kind::c_integer, sizeof(unsigned long), integer<unsigned long>},
    {MPI_LONG_LONG, Kind::c_integer, sizeof(long long), integer<long long>},
    {MPI_UNSIGNED_LONG_LONG, Kind::c_integer, sizeof(unsigned long long), integer<unsigned long long>},
    {MPI_INT8_T, Kind::c_integer, sizeof(int8_t), integer<int8_t>},
    {MPI_INT16_T, Kind::c_integer, sizeof(int16_t), integer<int16_t>},
    {MPI_INT32_T, Kind::c_integer, sizeof(int32_t), integer<int32_t>},
    {MPI_INT64_T, Kind::c_integer, sizeof(int64_t), integer<int64_t>},
    {MPI_UINT8_T, Kind::c_integer, sizeof(uint8_t), integer<uint8_t>},
    {MPI_UINT16_T, Kind::c_integer, sizeof(uint16_t), integer<uint16_t>},
    {MPI_UINT32_T, Kind::c_integer, sizeof(uint32_t), integer<uint32_t>},
    {MPI_UINT64_T, Kind::c_integer, sizeof(uint64_t), integer<uint64_t>},
    {MPI_AINT, Kind::integer, sizeof(MPI_Aint), integer<MPI_Aint>},
    {MPI_OFFSET, Kind::integer, sizeof(MPI_Offset), integer<MPI_Offset>},
    {MPI_COUNT, Kind::integer, sizeof(MPI_Count), integer<MPI_Count>},
    {MPI_FLOAT, Kind::floating, sizeof(float), floating<float>},
    {MPI_DOUBLE, Kind::floating, sizeof(double), floating<double>},
    {MPI_LONG_DOUBLE, Kind::floating, sizeof(long double), floating<long double>},
    {MPI_C_BOOL, Kind::logical, sizeof(bool), logical<bool>},
    {MPI_C_COMPLEX, Kind::complex, sizeof(Complex<float>), complex<float>},
    {MPI_C_FLOAT_COMPLEX, Kind::complex, sizeof(Complex<float>), complex<float>},
    {MPI_C_DOUBLE_COMPLEX, Kind::complex, sizeof(Complex<double>), complex<double>},
    {MPI_C_LONG_DOUBLE_COMPLEX, Kind::complex, sizeof(Complex<long double>), complex<long double>},
    {MPI_BYTE, Kind::byte, 1, integer<unsigned char>},
    // C pairs (section 5.9.4): the C struct, padding included (its extent)
    {MPI_2INT, Kind::pair, sizeof(Pair<int, int>), pair<int>},
    {MPI_SHORT_INT, Kind::pair, sizeof(Pair<short, int>), pair<short>},
    {MPI_LONG_INT, Kind::pair, sizeof(Pair<long, int>), pair<long>},
    {MPI_FLOAT_INT, Kind::pair, sizeof(Pair<float, int>), pair<float>},
    {MPI_DOUBLE_INT, Kind::pair, sizeof(Pair<double, int>), pair<double>},
    {MPI_LONG_DOUBLE_INT, Kind::pair, sizeof(Pair<long double, int>), pair<long double>},
    // C++ (table 3.3)
    {MPI_CXX_BOOL, Kind::logical, sizeof(bool), logical<bool>},
    {MPI_CXX_FLOAT_COMPLEX, Kind::complex, sizeof(Complex<float>), complex<float>},
    {MPI_CXX_DOUBLE_COMPLEX, Kind::complex, sizeof(Complex<double>), complex<double>},
    {MPI_CXX_LONG_DOUBLE_COMPLEX, Kind::complex, sizeof(Complex<long double>), complex<long double>},
    // Fortran (table 3.1 and section 17.2.5), as gfortran lays them out on x86-64. REAL*16
    // and COMPLEX*32 are IEEE quad precision, which this library has no arithmetic for.
    {MPI_INTEGER, Kind::integer, sizeof(int32_t), integer<int32_t>},
    {MPI_INTEGER1, Kind::integer, sizeof(int8_t), integer<int8_t>},
    {MPI_INTEGER2, Kind::integer, sizeof(int16_t), integer<int16_t>},
    {MPI_INTEGER4, Kind::integer, sizeof(int32_t), integer<int32_t>},
    {MPI_INTEGER8, Kind::integer, sizeof(int64_t), integer<int64_t>},
    {MPI_REAL, Kind::floating, sizeof(float), floating<float>},
    {MPI_REAL4, Kind::floating, sizeof(float), floating<float>},
    {MPI_REAL8, Kind::floating, sizeof(double), floating<double>},
    {MPI_DOUBLE_PRECISION, Kind::floating, sizeof(double), floating<double>},
    {MPI_REAL16, Kind::none, 16, nullptr},
    {MPI_LOGICAL, Kind::logical, sizeof(int32_t), logical<int32_t>},
    {MPI_CHARACTER, Kind::none, 1, nullptr},
    {MPI_COMPLEX, Kind::complex, sizeof(Complex<float>), complex<float>},
    {MPI_COMPLEX8, Kind::complex, sizeof(Complex<float>), complex<float>},
    {MPI_DOUBLE_COMPLEX, Kind::complex, sizeof(Complex<double>), complex<double>},
    {MPI_COMPLEX16, Kind::complex, sizeof(Complex<double>), complex<double>},
    {MPI_COMPLEX32, Kind::none, 32, nullptr},
    {MPI_2INTEGER, Kind::pair, sizeof(Pair<int32_t, int32_t>), pair<int32_t, int32_t>},
    {MPI_2REAL, Kind::pair, sizeof(Pair<float, float>), pair<float, float>},
    {MPI_2DOUBLE_PRECISION, Kind::pair, sizeof(Pair<double, double>), pair<double, double>},
    {MPI_2COMPLEX, Kind::none, 2 * sizeof(Complex<float>), nullptr},
    {MPI_2DOUBLE_COMPLEX, Kind::none, 2 * sizeof(Complex<double>), nullptr},
};

const Type_row* find_type(MPI_Datatype datatype) {
    for (const Type_row& row : type_rows)
        if (row.datatype == datatype) return &row;
    return nullptr;
}

/// MPI-3.1 section 5.9.2: the datatype groups each predefined operation takes.
bool allowed(MPI_Op op, Kind kind) {
    switch (op) {
    case MPI_MAX:
    case MPI_MIN: return kind == Kind::c_integer || kind == Kind::integer || kind == Kind::floating;
    case MPI_SUM:
    case MPI_PROD:
        return kind == Kind::c_integer || kind == Kind::integer || kind == Kind::floating || kind == Kind::complex;
    case MPI_LAND:
    case MPI_LOR:
    case MPI_LXOR: return kind == Kind::c_integer || kind == Kind::logical;
    case MPI_BAND:
    case MPI_BOR:
    case MPI_BXOR: return kind == Kind::c_integer || kind == Kind::integer || kind == Kind::byte;
    case MPI_MINLOC:
    case MPI_MAXLOC: return kind == Kind::pair;
    default: return false; // MPI_REPLACE and MPI_NO_OP are for one-sided accumulates only
    }
}

/// User operations: handles first_user_op .. first_user_op + max_user_ops - 1.
struct User_op {
    MPI_User_function* function = nullptr; ///< nullptr: the entry is free
    bool commute = false;
};
constexpr MPI_Op first_user_op = 64;
constexpr int max_user_ops = 256;
User_op user_ops[max_user_ops];

User_op* find_user_op(MPI_Op op) {
    if (op < first_user_op || op >= first_user_op + max_user_ops) return nullptr;
    User_op* u = &user_ops[op - first_user_op];
    return u->function ? u : nullptr;
}

} // namespace

size_t op_item_size(MPI_Datatype datatype) {
    const Type_row* row = find_type(datatype);
    return row ? row->item : 0;
}

int check_op(MPI_Op op, MPI_Datatype datatype) {
    const Type_row* row = find_type(datatype);
    if (!row || !type_size(datatype)) return MPI_ERR_TYPE;
    // The collectives size buffers with type_size and the arithmetic strides with the C type:
    // they must agree, or a reduction would read past the data.
    if (type_size(datatype) != row->item) return MPI_ERR_INTERN;
    if (find_user_op(op)) return MPI_SUCCESS;
    return allowed(op, row->kind) ? MPI_SUCCESS : MPI_ERR_OP;
}

bool op_commutative(MPI_Op op) {
    const User_op* u = find_user_op(op);
    return u ? u->commute : true;
}

void apply_op(MPI_Op op, MPI_Datatype datatype, const void* in, void* inout, int count) {
    if (User_op* u = find_user_op(op)) {
        int len = count;
        MPI_Datatype type = datatype;
        // MPI_User_function takes a non-const invec; it must not write to it (section 5.9.5).
        u->function(const_cast<void*>(in), inout, &len, &type);
        return;
    }
    find_type(datatype)->kernel(op, in, inout, count);
}

} // namespace ipclab::mpi

using namespace ipclab::mpi;

/// MPI-3.1 section 5.9.5. `user_fn` computes inoutvec[i] = invec[i] op inoutvec[i]; `commute`
/// nonzero lets the library combine in any order, otherwise in rank order.
/// Errors: MPI_ERR_ARG (null function or handle pointer), MPI_ERR_INTERN (no free entry).
extern "C" int MPI_Op_create(MPI_User_function* user_fn, int commute, MPI_Op* op) {
    if (!user_fn || !op) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Op_create");
    for (int i = 0; i < max_user_ops; ++i) {
        if (user_ops[i].function) continue;
        user_ops[i] = User_op{user_fn, commute != 0};
        *op = first_user_op + i;
        return MPI_SUCCESS;
    }
    return raise(MPI_COMM_WORLD, MPI_ERR_INTERN, "MPI_Op_create");
}

/// MPI-3.1 section 5.9.5: frees a user operation and sets *op to MPI_OP_NULL.
/// Errors: MPI_ERR_ARG (null pointer), MPI_ERR_OP (a predefined or unknown operation).
extern "C" int MPI_Op_free(MPI_Op* op) {
    if (!op) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Op_free");
    User_op* u = find_user_op(*op);
    if (!u) return raise(MPI_COMM_WORLD, MPI_ERR_OP, "MPI_Op_free");
    *u = User_op{};
    *op = MPI_OP_NULL;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 5.9.7. Errors: MPI_ERR_ARG (null pointer), MPI_ERR_OP (no operation).
extern "C" int MPI_Op_commutative(MPI_Op op, int* commute) {
    if (!commute) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Op_commutative");
    if (!find_user_op(op) && !(op >= MPI_MAX && op <= MPI_MAXLOC))
        return raise(MPI_COMM_WORLD, MPI_ERR_OP, "MPI_Op_commutative");
    *commute = op_commutative(op);
    return MPI_SUCCESS;
}

/// MPI-3.1 section 5.9.7: inoutbuf[i] = inbuf[i] op inoutbuf[i] for `count` items, locally.
/// Errors: MPI_ERR_COUNT, MPI_ERR_TYPE, MPI_ERR_OP, MPI_ERR_BUFFER (null or MPI_IN_PLACE
/// buffer with count > 0).
extern "C" int MPI_Reduce_local(const void* inbuf, void* inoutbuf, int count, MPI_Datatype datatype, MPI_Op op) {
    if (count < 0) return raise(MPI_COMM_WORLD, MPI_ERR_COUNT, "MPI_Reduce_local");
    if (int e = check_op(op, datatype)) return raise(MPI_COMM_WORLD, e, "MPI_Reduce_local");
    if (count > 0 && (!inbuf || !inoutbuf || inbuf == MPI_IN_PLACE || inoutbuf == MPI_IN_PLACE))
        return raise(MPI_COMM_WORLD, MPI_ERR_BUFFER, "MPI_Reduce_local");
    apply_op(op, datatype, inbuf, inoutbuf, count);
    return MPI_SUCCESS;
}
