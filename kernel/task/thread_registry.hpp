// Every live thread by id, in an AVL tree: how classic L4 found the target of a send to a
// thread id, O(log n) in the number of threads (seeds/003 "finding the task struct of this
// process is log(n)"). Capability slots avoid it; the scaling experiment compares both.
#pragma once

#include <stdint.h>

#include "task/thread.hpp"

namespace kernel {

class Thread_registry {
public:
    void insert(Thread& t);
    /// Removes `t` if it is in the tree.
    void remove(Thread& t);
    /// The live thread with id `id`, or nullptr. O(log n).
    Thread* find(uint64_t id) const;
    uint32_t size() const { return m_size; }
    /// Height of the tree (0 when empty), for the tests.
    int height() const;

private:
    Thread* m_root = nullptr;
    uint32_t m_size = 0;
};

Thread_registry& thread_registry();

} // namespace kernel
