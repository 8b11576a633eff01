// Base of every kernel object a capability can name: its type and a reference count.
#pragma once

#include <stdint.h>

namespace kernel {

/// Kinds of kernel object; the values are the ones cap_info reports (abi/capability.hpp).
enum class Object_type : uint8_t { endpoint = 1, communicator = 2, notification = 3 };

/// Counted by the capabilities that name it; destroyed when the last one goes.
class Kobject {
public:
    Kobject(const Kobject&) = delete;
    Kobject& operator=(const Kobject&) = delete;

    Object_type type() const { return m_type; }
    uint32_t references() const { return m_references; }
    void acquire() { ++m_references; }
    /// Drops one reference; the last one destroys the object (object.cpp).
    void release();

protected:
    explicit Kobject(Object_type type) : m_type(type) {}
    ~Kobject() = default;

private:
    Object_type m_type;
    uint32_t m_references = 0;
};

} // namespace kernel
