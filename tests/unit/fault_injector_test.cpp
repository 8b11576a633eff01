// Fault injection (kernel/task/fault_injector.cpp; docs/fault-injection.md): the points'
// names, which blocks count for a task's kill directive, and the kill itself. The switch to
// the idle context that carries the kill out is booted by tests/qemu/test_fault_injection.py.
#include <gtest/gtest.h>

#include <string.h>

#include <string>

#include "abi/syscall.hpp"
#include "support/kernel_test.hpp"
#include "task/fault_injector.hpp"

namespace {

namespace fi = kernel::fault_injection;
using ipclab::Syscall;
using kernel::Thread;

TEST(Fault_injection, every_point_is_found_by_its_name) {
    const char* const names[] = {
#define IPCLAB_KILL_POINT(name, where) #name,
#include "task/kill_points.def"
#undef IPCLAB_KILL_POINT
    };
    for (const char* name : names) {
        fi::Point p = fi::Point::none;
        ASSERT_TRUE(fi::point_named(name, strlen(name), p)) << name;
        EXPECT_STREQ(fi::point_name(p), name);
    }
    fi::Point p = fi::Point::none;
    for (const char* bad : {"none", "sen", "sendx", "", "SEND"}) EXPECT_FALSE(fi::point_named(bad, strlen(bad), p)) << bad;
}

class Fault_injector_test : public test::Kernel_test {};

TEST_F(Fault_injector_test, a_block_counts_only_at_the_directive_point) {
    struct Row {
        fi::Point point;
        Syscall call;      ///< the system call the thread blocks in
        bool reply_cap;    ///< it holds an unused reply capability
        bool counts;
    };
    const Row rows[] = {
        {fi::Point::send, Syscall::ipc_send, false, true},        {fi::Point::send, Syscall::ipc_send_tid, false, true},
        {fi::Point::send, Syscall::ipc_send_tid_as, false, true}, {fi::Point::send, Syscall::ipc_call, false, false},
        {fi::Point::recv, Syscall::ipc_recv, false, true},        {fi::Point::recv, Syscall::ipc_reply_recv, false, false},
        {fi::Point::call, Syscall::ipc_call, false, true},        {fi::Point::call, Syscall::ipc_call_tid, false, true},
        {fi::Point::call, Syscall::ipc_call_tid_as, false, true}, {fi::Point::call, Syscall::ipc_send, false, false},
        {fi::Point::reply_recv, Syscall::ipc_reply_recv, false, true},
        {fi::Point::reply_recv, Syscall::ipc_recv, false, false},
        {fi::Point::reply_cap, Syscall::notify_wait, true, true}, {fi::Point::reply_cap, Syscall::ipc_recv, true, true},
        {fi::Point::reply_cap, Syscall::ipc_recv, false, false},
        {fi::Point::comm_send, Syscall::comm_send, false, true},  {fi::Point::comm_send, Syscall::comm_recv, false, false},
        {fi::Point::comm_recv, Syscall::comm_recv, false, true},  {fi::Point::comm_recv, Syscall::comm_probe, false, false},
        {fi::Point::comm_wait, Syscall::comm_wait, false, true},  {fi::Point::comm_wait, Syscall::comm_send, false, false},
        {fi::Point::none, Syscall::ipc_recv, true, false},
    };
    spawn("t", [&](Thread& self) {
        for (const Row& row : rows) {
            self.task().kill = fi::Directive{row.point, 1000, 0};
            self.frame().set_status(long(row.call));
            self.reply_to = row.reply_cap ? &self : nullptr; // only compared with nullptr
            EXPECT_FALSE(fi::counts_as_kill(self));
            EXPECT_EQ(self.task().kill.seen, row.counts ? 1u : 0u)
                << fi::point_name(row.point) << " in system call " << long(row.call) << (row.reply_cap ? " with" : " without")
                << " a reply capability";
        }
        self.reply_to = nullptr;
        self.task().kill = fi::Directive{};
    });
    run_until_idle();
}

TEST_F(Fault_injector_test, the_nth_block_chooses_the_victim_which_dies_as_by_sigkill) {
    kernel::Task& task = make_task("victim");
    spawn(task, [&](Thread& self) {
        self.task().kill = fi::Directive{fi::Point::recv, 2, 0};
        self.frame().set_status(long(Syscall::ipc_recv));
        EXPECT_FALSE(fi::counts_as_kill(self));
        EXPECT_TRUE(fi::counts_as_kill(self));
        EXPECT_FALSE(fi::counts_as_kill(self)) << "a directive fires once";
        park(self); // blocked in a receive, as the victim is when the idle context kills it
    });
    run_until_idle();
    (void)take_console();
    forget(task);
    fi::kill_victim();
    const std::string console = take_console();
    EXPECT_NE(console.find("\"event\":\"inject\",\"task\":\"victim\""), std::string::npos) << console;
    EXPECT_NE(console.find("\"point\":\"recv\",\"nth\":2,\"state\":\"blocked in receive\",\"reply_cap\":false"),
              std::string::npos)
        << console;
    EXPECT_NE(console.find("\"event\":\"task_exit\",\"task\":\"victim\""), std::string::npos) << console;
    EXPECT_NE(console.find("\"reason\":\"signal\",\"status\":137,\"failed\":true"), std::string::npos) << console;
}

} // namespace
