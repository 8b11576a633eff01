// AVL tree of threads keyed by id, threaded through the Thread (no allocation).
#include "task/thread_registry.hpp"

namespace kernel {

namespace {

Thread_registry the_registry;

int height(const Thread* t) { return t ? t->tid_height : 0; }

void update(Thread* t) {
    int l = height(t->tid_left), r = height(t->tid_right);
    t->tid_height = int8_t((l > r ? l : r) + 1);
}

Thread* rotate_right(Thread* t) {
    Thread* l = t->tid_left;
    t->tid_left = l->tid_right;
    l->tid_right = t;
    update(t);
    update(l);
    return l;
}

Thread* rotate_left(Thread* t) {
    Thread* r = t->tid_right;
    t->tid_right = r->tid_left;
    r->tid_left = t;
    update(t);
    update(r);
    return r;
}

Thread* balance(Thread* t) {
    update(t);
    int b = height(t->tid_left) - height(t->tid_right);
    if (b > 1) {
        if (height(t->tid_left->tid_left) < height(t->tid_left->tid_right)) t->tid_left = rotate_left(t->tid_left);
        return rotate_right(t);
    }
    if (b < -1) {
        if (height(t->tid_right->tid_right) < height(t->tid_right->tid_left)) t->tid_right = rotate_right(t->tid_right);
        return rotate_left(t);
    }
    return t;
}

Thread* insert_at(Thread* node, Thread& t) {
    if (!node) return &t;
    if (t.id() < node->id())
        node->tid_left = insert_at(node->tid_left, t);
    else
        node->tid_right = insert_at(node->tid_right, t);
    return balance(node);
}

/// Detaches the smallest node of the subtree into `min`; returns the new subtree.
Thread* take_min(Thread* node, Thread*& min) {
    if (!node->tid_left) {
        min = node;
        return node->tid_right;
    }
    node->tid_left = take_min(node->tid_left, min);
    return balance(node);
}

Thread* remove_at(Thread* node, uint32_t id, bool& found) {
    if (!node) return nullptr;
    if (id < node->id()) {
        node->tid_left = remove_at(node->tid_left, id, found);
    } else if (id > node->id()) {
        node->tid_right = remove_at(node->tid_right, id, found);
    } else {
        found = true;
        Thread *l = node->tid_left, *r = node->tid_right;
        node->tid_left = node->tid_right = nullptr;
        node->tid_height = 0;
        if (!r) return l;
        Thread* min;
        r = take_min(r, min);
        min->tid_left = l;
        min->tid_right = r;
        return balance(min);
    }
    return balance(node);
}

} // namespace

Thread_registry& thread_registry() { return the_registry; }

void Thread_registry::insert(Thread& t) {
    t.tid_left = t.tid_right = nullptr;
    t.tid_height = 1;
    m_root = insert_at(m_root, t);
    ++m_size;
}

void Thread_registry::remove(Thread& t) {
    bool found = false;
    m_root = remove_at(m_root, t.id(), found);
    if (found) --m_size;
}

Thread* Thread_registry::find(uint64_t id) const {
    Thread* t = m_root;
    while (t && t->id() != id) t = id < t->id() ? t->tid_left : t->tid_right;
    return t;
}

int Thread_registry::height() const { return kernel::height(m_root); }

} // namespace kernel
