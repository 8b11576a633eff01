// Intrusive doubly linked list (queues of threads, free lists): O(1) insert and remove, no
// allocation.
#pragma once

#include "lib/assert.hpp"

namespace kernel {

/// Embed one Link per list an object can be on.
struct Link {
    Link* prev = nullptr;
    Link* next = nullptr;
    void* owner = nullptr; ///< the object this link is embedded in, set on insertion
    bool linked() const { return next != nullptr; }
};

/// A FIFO of T, threaded through the member `Link T::*L`.
template <typename T, Link T::*L> class List {
public:
    List() { m_head.prev = m_head.next = &m_head; }
    List(const List&) = delete;
    List& operator=(const List&) = delete;

    bool empty() const { return m_head.next == &m_head; }
    T* front() const { return empty() ? nullptr : owner(m_head.next); }

    void push_back(T& item) {
        Link& l = item.*L;
        VERIFY(!l.linked());
        l.owner = &item;
        l.prev = m_head.prev;
        l.next = &m_head;
        m_head.prev->next = &l;
        m_head.prev = &l;
    }
    void push_front(T& item) {
        Link& l = item.*L;
        VERIFY(!l.linked());
        l.owner = &item;
        l.next = m_head.next;
        l.prev = &m_head;
        m_head.next->prev = &l;
        m_head.next = &l;
    }
    /// Inserts `item` before `position` (which is on this list).
    void insert_before(T& position, T& item) {
        Link& l = item.*L;
        Link& p = position.*L;
        VERIFY(!l.linked() && p.linked());
        l.owner = &item;
        l.next = &p;
        l.prev = p.prev;
        p.prev->next = &l;
        p.prev = &l;
    }
    void remove(T& item) {
        Link& l = item.*L;
        VERIFY(l.linked());
        l.prev->next = l.next;
        l.next->prev = l.prev;
        l.prev = l.next = nullptr;
    }
    T* pop_front() {
        T* t = front();
        if (t) remove(*t);
        return t;
    }
    /// The element after `item`, or nullptr at the end.
    T* next(const T& item) const {
        const Link* n = (item.*L).next;
        return n == &m_head ? nullptr : owner(n);
    }

private:
    static T* owner(const Link* l) { return static_cast<T*>(l->owner); }
    Link m_head;
};

} // namespace kernel
