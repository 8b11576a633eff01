// Fault injection (issue 7; docs/fault-injection.md): the run description's `kill` lines end
// a task, as SIGKILL would, the Nth time one of its threads blocks at a given point, so that
// tests can check what its partners see and that the kernel frees everything it held.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel {

class Thread;

namespace fault_injection {

/// Where a task may be killed: the list in task/kill_points.def (`none`: no directive).
enum class Point : uint8_t {
    none,
#define IPCLAB_KILL_POINT(name, where) name,
#include "task/kill_points.def"
#undef IPCLAB_KILL_POINT
};

/// The point called `name` (`n` bytes, as the run description spells it); false if none is.
bool point_named(const char* name, size_t n, Point& out);
const char* point_name(Point p);

/// A task's kill directive: it dies the `nth` time (1, 2, ...) one of its threads blocks
/// at `point`.
struct Directive {
    Point point = Point::none;
    uint32_t nth = 0;
    uint32_t seen = 0; ///< blocks at the point so far
};

/// Whether a task of this run has a directive: the scheduler's only cost when none has.
extern bool armed;

/// Whether blocking `t` (the running thread; its blocked state and the system call it is in
/// are set) counts for its task's directive. Counts the block; true when it is the nth: the
/// scheduler then leaves `t`'s stack for the idle context, which calls kill_victim.
bool counts_as_kill(Thread& t);
/// Ends the task of the thread counts_as_kill chose, as SIGKILL: task_exit with reason
/// "signal" and status 137, after an `inject` event (task, thread, point, nth, the thread's
/// state, whether it held a reply capability, the instruction count). Must run on a stack
/// that is not the victim's (the idle context).
void kill_victim();

} // namespace fault_injection

} // namespace kernel
