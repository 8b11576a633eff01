// The run description the harness hands the kernel as boot module 0: which objects exist,
// which task each boot module becomes, which capabilities each task holds, which
// communicators each belongs to, and which policy is in force. The kernel applies it at boot
// (boot/compose.cpp); nothing else hands out authority. Format: docs/run-description.md.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "task/fault_injector.hpp"

namespace kernel {

struct Manifest {
    static constexpr unsigned max_objects = 256;
    static constexpr unsigned max_tasks = 1100;
    static constexpr unsigned max_caps = 4096;
    static constexpr unsigned max_env = 1024;
    static constexpr unsigned max_members = 8192;
    static constexpr unsigned name_bytes = 32;

    enum class Kind : uint8_t { endpoint, communicator, notification };
    struct Object {
        char name[name_bytes];
        Kind kind;
        uint32_t slot;          ///< communicator: where each member's capability goes
        uint32_t first_member;  ///< communicator: index into members[]
        uint32_t member_count;
        uint64_t send_timeout;  ///< communicator: `send_timeout` line, ns; 0: the policy's
    };
    /// A `rights` line: whether rank `from` of a communicator may send to rank `to` (-1:
    /// every rank); applied in order over the default, which allows everything.
    struct Right {
        uint32_t object;
        int32_t from;
        int32_t to;
        bool allowed;
    };
    static constexpr unsigned max_rights = 1024;
    struct Task {
        uint32_t module;
        char name[name_bytes];
        bool daemon;
        bool root;
        uint32_t stack_kib;
        uint8_t priority; ///< of its first thread, 0..255 (default Thread::default_priority)
        uint8_t max_priority; ///< highest priority its threads may give new threads (seL4's MCP)
        int32_t chief;   ///< task index of its clan's chief (`chief` line), -1: top level
        int32_t monitor; ///< task index of its reference monitor (`monitor` line), -1: none
        fault_injection::Point kill_point; ///< `kill` line: where it dies (none: no line)
        uint32_t kill_nth;                 ///< `kill` line: it dies at its nth block there (1..)
    };
    /// A capability a `cap` line gives; never to a communicator (its members get theirs,
    /// badged with their rank, from the communicator line).
    struct Cap {
        uint32_t task;   ///< index into tasks[]
        uint32_t slot;
        uint32_t object; ///< index into objects[]
        uint8_t rights;
        uint64_t badge;
    };
    /// Task index of an env line that applies to every task.
    static constexpr uint32_t all_tasks = 0xffffffff;
    struct Env {
        uint32_t task;    ///< index into tasks[], or all_tasks
        const char* text; ///< "KEY=VALUE", not terminated, points into the manifest text
        uint32_t length;
    };

    char policy[name_bytes];
    bool selftest_panic;
    bool fastpath_off; ///< `fastpath off`: every IPC takes the slow path
    unsigned kill_count; ///< `kill` lines (fault injection also turns the fast paths off)
    Object objects[max_objects];
    Task tasks[max_tasks];
    Cap caps[max_caps];
    Env env[max_env];
    Right rights[max_rights];
    unsigned right_count;
    uint32_t members[max_members]; ///< task indices; a communicator's rank r is
                                   ///< members[first_member + r]
    unsigned object_count, task_count, cap_count, env_count, member_count;

    /// Index of the task created from boot module `module`, or -1.
    int task_of_module(uint32_t module) const;
};

struct Manifest_error {
    unsigned line;      ///< 1-based; 0 for errors about the whole description
    char message[120];
};

/// Default stack of a task in KiB when the description gives none.
inline constexpr uint32_t default_stack_kib = 128;
/// Default priority of a task's thread (the same as Thread::default_priority).
inline constexpr uint8_t default_priority = 100;

/// Parses the description in text[0..length). `module_count` is the number of boot
/// modules (module 0 is the description itself; every other one must become a task).
/// On error fills `error` (line and message naming the problem) and returns false.
bool parse_manifest(const char* text, size_t length, unsigned module_count, Manifest& out, Manifest_error& error);

} // namespace kernel
