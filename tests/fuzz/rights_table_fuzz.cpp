// libFuzzer target: a communicator's group rights table (Communicator::set_right, may_send;
// the study's mpi-rights policy) and what communicators created from it inherit
// (join_creation, MPI_Comm_create and friends: "no task gains a right it did not have"),
// against a reference matrix. Grants and revocations for one pair, a row, a column or
// everything (-1), applied in order; queries directly and through mpi-rights' comm_send;
// creations joined in call order, members that end before joining, and every reference and
// byte of kernel memory back at the end of the input.
#include "fuzz_common.hpp"

#include <algorithm>
#include <map>

#include "mpi_shim/kernel/communicator.hpp"
#include "policy/policy.hpp"

namespace {

using Status = ipclab::Status;

/// A creation some members have not joined yet, as the model sees it.
struct Creation {
    uint64_t key;
    std::vector<int32_t> group;
    std::vector<bool> joined;
    kernel::Communicator* comm;
};

struct Model {
    kernel::Communicator& parent;
    uint32_t n;
    std::vector<bool> denied;                // [from * n + to]
    std::vector<bool> member;                // the rank's task has not ended
    std::vector<Creation> creations;         // oldest first
    std::vector<kernel::Communicator*> held; // references join_creation gave us

    void set(int32_t from, int32_t to, bool allowed) {
        for (uint32_t f = 0; f < n; ++f)
            for (uint32_t t = 0; t < n; ++t)
                if ((from < 0 || f == uint32_t(from)) && (to < 0 || t == uint32_t(to)))
                    denied[f * n + t] = !allowed;
    }
    void check_pair(uint32_t f, uint32_t t) {
        FUZZ_CHECK(parent.may_send(int32_t(f), int32_t(t)) == !denied[f * n + t]);
        FUZZ_CHECK(kernel::policy().comm_send(parent, int32_t(f), int32_t(t)) ==
                   (denied[f * n + t] ? Status::denied : Status::ok));
    }
    /// What the kernel still holds: one reference per record and per join we keep.
    void check_references() {
        std::map<kernel::Communicator*, uint32_t> refs;
        for (kernel::Communicator* c : held)
            ++refs[c];
        for (const Creation& r : creations)
            ++refs[r.comm];
        for (auto [c, n] : refs)
            FUZZ_CHECK(c->references() == n);
    }
    void remove_done() {
        std::erase_if(creations, [](const Creation& c) {
            return std::count(c.joined.begin(), c.joined.end(), false) == 0;
        });
    }
};

bool twice(std::vector<int32_t> group) {
    std::sort(group.begin(), group.end());
    return std::adjacent_find(group.begin(), group.end()) != group.end();
}

/// `rank` joins (or starts) the creation of a communicator from `group` under `key`.
void join(Model& m, int32_t rank, const std::vector<int32_t>& group, uint64_t key) {
    const uint32_t count = uint32_t(group.size());
    int32_t new_rank = -7;
    Status s;
    kernel::Communicator* c = m.parent.join_creation(rank, group.data(), count, key, new_rank, s);

    Status want = Status::ok;
    const auto at = std::find(group.begin(), group.end(), rank);
    if (count == 0 || count > m.n)
        want = Status::invalid_argument;
    else if (std::any_of(group.begin(), group.end(),
                         [&](int32_t g) { return g < 0 || uint32_t(g) >= m.n; }))
        want = Status::invalid_rank;
    else if (at == group.end())
        want = Status::invalid_argument;
    else if (twice(group))
        want = Status::invalid_argument; // no record has it: a first caller's
    FUZZ_CHECK(s == want && (c != nullptr) == (want == Status::ok));
    if (want != Status::ok) return;
    const uint32_t me = uint32_t(at - group.begin());
    FUZZ_CHECK(new_rank == int32_t(me));
    for (Creation& r : m.creations) { // the oldest matching record this rank has not joined
        if (r.key != key || r.group != group || r.joined[me]) continue;
        FUZZ_CHECK(c == r.comm);
        r.joined[me] = true;
        m.remove_done();
        m.held.push_back(c);
        return;
    }
    for (const Creation& r : m.creations)
        FUZZ_CHECK(c != r.comm);
    FUZZ_CHECK(c->size() == count && c->send_timeout() == m.parent.send_timeout());
    FUZZ_CHECK(c->context_id() != m.parent.context_id());
    for (uint32_t i = 0; i < count; ++i) // the parent's rights between the same tasks, no more
        for (uint32_t j = 0; j < count; ++j)
            FUZZ_CHECK(c->may_send(int32_t(i), int32_t(j)) ==
                       !m.denied[uint32_t(group[i]) * m.n + uint32_t(group[j])]);
    Creation r{key, group, std::vector<bool>(count), c};
    for (uint32_t i = 0; i < count; ++i)
        r.joined[i] = i == me || !m.member[uint32_t(group[i])];
    m.creations.push_back(std::move(r));
    m.remove_done();
    m.held.push_back(c);
}

std::vector<int32_t> group(fuzz::Input& in, const Model& m, int32_t rank) {
    std::vector<int32_t> g;
    if (in.below(8) == 0) { // anything, to check the argument checks
        for (uint32_t i = in.below(6); i > 0; --i)
            g.push_back(int32_t(in.index(m.n)));
        return g;
    }
    for (uint32_t r = 0; r < m.n; ++r) // a subset of ranks in a fuzzed order, with the caller
        if (in.flag() || int32_t(r) == rank) g.push_back(int32_t(r));
    for (size_t i = g.size(); i > 1; --i)
        std::swap(g[i - 1], g[in.below(uint32_t(i))]);
    return g;
}

void run(fuzz::Input& in, kernel::Communicator& parent, kernel::Task* tasks[2]) {
    const uint32_t n = parent.size();
    Model m{parent, n, std::vector<bool>(size_t(n) * n), std::vector<bool>(n, true), {}, {}};
    for (uint32_t r = 0; r < n; ++r)
        parent.set_member(int32_t(r), *tasks[r % 2]);
    while (in.more()) {
        switch (in.below(7)) {
        case 0:
        case 1: { // grant or revoke: a pair, a row, a column or everything
            const int32_t from = in.below(4) ? int32_t(in.below(n)) : -1,
                          to = in.below(4) ? int32_t(in.below(n)) : -1;
            const bool allowed = in.flag();
            FUZZ_CHECK(parent.set_right(from, to, allowed) == Status::ok);
            m.set(from, to, allowed);
            break;
        }
        case 2:
            m.check_pair(in.below(n), in.below(n));
            break;
        case 3:
        case 4: { // comm_create by a member
            const int32_t rank = int32_t(in.below(n));
            if (!m.member[uint32_t(rank)]) break;
            if (m.held.size() == 64) { // bounds the kernel memory one input takes (the host arena)
                m.held.front()->release();
                m.held.erase(m.held.begin());
            }
            const std::vector<int32_t> g = group(in, m, rank);
            join(m, rank, g, in.below(3));
            break;
        }
        case 5: // a joined member drops its capability
            if (m.held.empty()) break;
            std::swap(m.held[in.below(uint32_t(std::min<size_t>(m.held.size(), 256)))],
                      m.held.back());
            m.held.back()->release();
            m.held.pop_back();
            break;
        default: { // a member's task ends (rank r % 2 is task r % 2's)
            const uint32_t r = in.below(n);
            if (!m.member[r]) break;
            parent.member_ended(int32_t(r), *tasks[r % 2]);
            m.member[r] = false;
            for (Creation& c : m.creations)
                for (size_t i = 0; i < c.group.size(); ++i)
                    c.joined[i] = c.joined[i] || c.group[i] == int32_t(r);
            m.remove_done();
        }
        }
        m.check_references();
    }
    if (n <= 64)
        for (uint32_t f = 0; f < n; ++f)
            for (uint32_t t = 0; t < n; ++t)
                m.check_pair(f, t);
    for (kernel::Communicator* c : m.held)
        c->release();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Kernel_state state;
    FUZZ_CHECK(kernel::select_policy("mpi-rights"));
    kernel::Account account;
    fuzz::Input in(data, size);
    Status s;
    const uint32_t n = in.below(8) ? 1 + in.below(12) : 1 + in.u8();
    kernel::Communicator* parent = kernel::Communicator::create(n, account, s);
    FUZZ_CHECK(parent != nullptr);
    parent->acquire();
    {
        fuzz::Tasks tasks;
        kernel::Task* members[2] = {&tasks.task(tasks.add()), &tasks.task(tasks.add())};
        run(in, *parent, members);
        parent->release(); // before the tasks end: their member_ended must not find it
    }
    FUZZ_CHECK(account.kernel_bytes() == 0);
    state.finish();
    return 0;
}
