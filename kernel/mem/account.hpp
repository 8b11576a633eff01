// Per-task accounting of the memory the kernel spends on a task's behalf.
#pragma once

#include <stdint.h>

namespace kernel {

/// What one task costs: kernel-object memory (its TCBs, capability space, page tables,
/// message buffers) and the frames mapped into its address space, in bytes. A quota of 0
/// means unlimited. Every allocation made for a task is charged here before it is made.
class Account {
public:
    explicit Account(uint64_t quota_bytes = 0) : m_quota(quota_bytes) {}

    [[nodiscard]] bool charge_kernel(uint64_t bytes) { return charge(m_kernel, bytes); }
    [[nodiscard]] bool charge_user(uint64_t bytes) { return charge(m_user, bytes); }
    void release_kernel(uint64_t bytes) { m_kernel -= bytes; }
    void release_user(uint64_t bytes) { m_user -= bytes; }

    uint64_t kernel_bytes() const { return m_kernel; }
    uint64_t user_bytes() const { return m_user; }
    uint64_t peak_bytes() const { return m_peak; }

private:
    bool charge(uint64_t& counter, uint64_t bytes) {
        if (m_quota && m_kernel + m_user + bytes > m_quota) return false;
        counter += bytes;
        if (m_kernel + m_user > m_peak) m_peak = m_kernel + m_user;
        return true;
    }
    uint64_t m_quota;
    uint64_t m_kernel = 0;
    uint64_t m_user = 0;
    uint64_t m_peak = 0;
};

/// The account of memory the kernel spends for itself and for boot-time objects.
Account& kernel_account();

} // namespace kernel
