// The IPC fast path (kernel/ipc/fastpath.cpp) must give exactly the slow path's results
// (seL4's rule). Each scenario below runs twice, with ipc_fastpath_enabled off and on,
// through the system-call entry as entry.S makes it (test::syscall); every status, every
// result register, the reply capabilities, the thread states and the order in which the
// threads ran are traced, and the two traces must be identical. The host's fast_switch
// counts its switches, so each scenario also states how many operations the fast path
// must have taken: the short calls and replies, and none of the cases that must fall back
// (long message, items, a timeout, a partner outranked by a ready thread, ...).
#include <gtest/gtest.h>

#include <stdio.h>

#include <map>
#include <string>
#include <vector>

#include "ipc/fastpath.hpp"
#include "mem/user_memory.hpp"
#include "support/kernel_test.hpp"
#include "task/scheduler.hpp"
#include "task/thread_registry.hpp"
#include "task/timeouts.hpp"

#include <arch/clock.hpp>
#include "task/timeouts.hpp"

namespace {

using ipclab::Message_tag;
using ipclab::Syscall;
using kernel::Status;
using kernel::Thread;

constexpr uint64_t inf = ipclab::timeout_infinite;

// Capability slots of every actor's task.
constexpr uint64_t k_ep = 2;        ///< the endpoint: send, receive and grant, the actor's badge
constexpr uint64_t k_side = 3;      ///< a second endpoint, all rights
constexpr uint64_t k_recv_only = 4; ///< the endpoint, receive only
constexpr uint64_t k_send_only = 5; ///< the endpoint, send only
constexpr uint64_t buffer = 0x10000; ///< one read-write page in every actor

uint64_t tag(uint64_t label, unsigned length) { return Message_tag(label, length).raw(); }

class Fastpath_test : public test::Kernel_test {
protected:
    kernel::Endpoint& ep = make_endpoint();
    kernel::Endpoint& side = make_endpoint();

    struct Result {
        std::vector<std::string> trace;
        uint64_t fast_switches = 0, switches = 0, preemptions = 0;
    };

    void TearDown() override {
        kernel::ipc_fastpath_enabled = true;
        Kernel_test::TearDown();
    }

    /// A thread at `priority` in a task of its own whose endpoint capability carries
    /// `badge`; it parks when `body` returns, so every actor lives until the run is traced.
    Thread& actor(const std::string& name, uint8_t priority, uint64_t badge, test::Body body) {
        kernel::Task& t = make_task(name.c_str());
        EXPECT_EQ(t.caps().insert(k_ep, ep, ipclab::rights_all, badge), Status::ok);
        EXPECT_EQ(t.caps().insert(k_side, side, ipclab::rights_all, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(k_recv_only, ep, ipclab::right_receive, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(k_send_only, ep, ipclab::right_send, badge), Status::ok);
        map(t, buffer, 4096);
        Thread& thread = spawn(t, [this, body = std::move(body)](Thread& self) {
            body(self);
            park(self);
        }, priority);
        m_actors.push_back(&thread);
        m_names[&thread] = name;
        return thread;
    }
    /// Ends an actor's task from outside (its partners see partner_dead).
    void kill_actor(Thread& t) {
        note("kill " + name_of(&t));
        m_actors.erase(std::find(m_actors.begin(), m_actors.end(), &t));
        kill(t.task());
    }

    /// A system call from `self`, traced with its status and results r0..r5 (r0 of a message
    /// received from a thread id, that id, is printed as the thread's name: ids differ from
    /// run to run; a failed call leaves its argument registers, printed as they are).
    Status traced(Thread& self, const std::string& what, Syscall number, std::initializer_list<uint64_t> args,
                  uint64_t timeout = inf) {
        const Status s = test::syscall(self, number, args, timeout);
        const arch::User_frame& f = self.frame();
        std::string line = name_of(&self) + " " + what + " -> " + ipclab::status_name(s) + " r0=" +
                           (s == Status::ok && Message_tag(f.arg(1)).by_thread_id() ? name_of_id(f.arg(0)) : hex(f.arg(0)));
        for (unsigned i = 1; i < 6; ++i) line += " r" + std::to_string(i) + "=" + hex(f.arg(i));
        note(line);
        return s;
    }
    void sys(Thread& self, const std::string& what, Syscall number, std::initializer_list<uint64_t> args,
             uint64_t timeout = inf) {
        (void)traced(self, what, number, args, timeout);
    }
    void note(const std::string& line) {
        if (m_trace) m_trace->push_back(line);
    }
    /// Each actor's state and IPC relationships, and the endpoints' queues.
    void snapshot(const std::string& label) {
        std::string line = "[" + label + "]";
        for (Thread* t : m_actors)
            line += " " + name_of(t) + ":" + kernel::thread_state_name(t->state()) + ",reply_to=" + name_of(t->reply_to) +
                    ",holder=" + name_of(t->reply_holder);
        line += std::string(" ep:") + (ep.has_waiting_receivers() ? "receivers" : ep.has_waiting_senders() ? "senders" : "idle");
        line += std::string(" side:") + (side.has_waiting_receivers() ? "receivers" : side.has_waiting_senders() ? "senders" : "idle");
        note(line);
    }

    /// Runs `scenario` with the fast path on or off and returns what it traced; then ends
    /// every actor, so the next run starts from the same state.
    Result record(bool fast, void (Fastpath_test::*scenario)()) {
        kernel::ipc_fastpath_enabled = fast;
        Result r;
        m_trace = &r.trace;
        const uint64_t fast0 = arch::host::fast_switches, switches0 = kernel::scheduler().switches(),
                       preemptions0 = kernel::scheduler().preemptions();
        (this->*scenario)();
        run_until_idle();
        snapshot("end");
        r.fast_switches = arch::host::fast_switches - fast0;
        r.switches = kernel::scheduler().switches() - switches0;
        r.preemptions = kernel::scheduler().preemptions() - preemptions0;
        m_trace = nullptr;
        for (Thread* t : m_actors) kill(t->task());
        m_actors.clear();
        m_names.clear();
        kernel::scheduler().reap();
        kernel::ipc_fastpath_enabled = true;
        return r;
    }

    std::string name_of(const Thread* t) const {
        if (!t) return "-";
        auto it = m_names.find(t);
        return it == m_names.end() ? "?" : it->second;
    }
    std::string name_of_id(uint64_t id) const {
        for (const auto& [t, name] : m_names)
            if (id == t->id()) return "id(" + name + ")";
        return "id(?)";
    }
    static std::string hex(uint64_t v) {
        char s[24];
        snprintf(s, sizeof s, "%llx", static_cast<unsigned long long>(v));
        return s;
    }

public:
    // ---- Scenarios (public: the table of cases names them) ----
    static constexpr uint64_t badge_a = 0xa0000000, badge_b = 0xb0000000, badge_c = 0xc0000000;

    /// A server that answers every call with MR0 + 1 (reply length 1..3 varying, stale
    /// words beyond it) through reply_recv.
    Thread& echo_server(uint8_t priority = 100) {
        return actor("server", priority, 0, [this](Thread& self) {
            if (traced(self, "recv", Syscall::ipc_recv, {k_ep}) != Status::ok) return;
            for (unsigned n = 0;; ++n) {
                snapshot("server has a request");
                const uint64_t request = self.frame().arg(2);
                if (traced(self, "reply_recv", Syscall::ipc_reply_recv,
                        {k_ep, tag(1, 1 + n % 3), request + 1, 0x5ec0, 0x5ec1, 0x5ec2}) != Status::ok)
                    return;
            }
        });
    }

    void ping_pong() {
        echo_server();
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) {
            const unsigned lengths[] = {1, 2, 4, 0};
            uint64_t request = 1;
            for (unsigned length : lengths) {
                sys(self, "call", Syscall::ipc_call, {k_ep, tag(7, length), request, 0xdead1, 0xdead2, 0xdead3});
                request *= 10;
            }
        });
    }

    void call_by_thread_id() {
        Thread& server = actor("server", 100, 0, [this](Thread& self) {
            sys(self, "bind", Syscall::ipc_bind_inbox, {k_recv_only});
            sys(self, "recv", Syscall::ipc_recv, {k_recv_only});
            for (;;) {
                snapshot("server has a request");
                if (traced(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(2, 1), self.frame().arg(2) * 2}) != Status::ok)
                    return;
            }
        });
        run_until_idle();
        const uint64_t id = server.id();
        actor("client", 100, badge_a, [this, id](Thread& self) {
            sys(self, "call_tid", Syscall::ipc_call_tid, {id, tag(3, 1), 21});
            sys(self, "call_tid", Syscall::ipc_call_tid, {id, tag(3, 2), 50, 0x77});
            sys(self, "call", Syscall::ipc_call, {k_ep, tag(3, 0)}); // by capability, to the same inbox
        });
    }

    void long_messages() {
        Thread& server = actor("server", 100, 0, [this](Thread& self) {
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
            note("server MR4=" + hex(self.utcb().mr[4]));
            sys(self, "reply_recv short", Syscall::ipc_reply_recv, {k_ep, tag(1, 1), 1});
            self.utcb().mr[4] = 0x4444;
            self.utcb().mr[5] = 0x5555;
            sys(self, "reply_recv long", Syscall::ipc_reply_recv, {k_ep, tag(1, 6), 2, 3, 4, 5});
        });
        (void)server;
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) {
            self.utcb().mr[4] = 0xf4;
            sys(self, "call long", Syscall::ipc_call, {k_ep, tag(5, 5), 1, 2, 3, 4});
            sys(self, "call short", Syscall::ipc_call, {k_ep, tag(5, 4), 1, 2, 3, 4});
            note("client MR4=" + hex(self.utcb().mr[4]) + " MR5=" + hex(self.utcb().mr[5]));
        });
    }

    void string_item() {
        actor("server", 100, 0, [this](Thread& self) {
            self.utcb().recv_string_addr = buffer;
            self.utcb().recv_string_capacity = 64;
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
            char text[6] = {};
            EXPECT_EQ(kernel::copy_from_user(self.task().space(), buffer, text, 5), Status::ok);
            note(std::string("server string=") + text + " bytes=" + std::to_string(self.utcb().recv_string_bytes));
            sys(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(1, 0)});
        });
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) {
            EXPECT_EQ(kernel::copy_to_user(self.task().space(), buffer, "hello", 5), Status::ok);
            self.utcb().send_string_addr = buffer;
            self.utcb().send_string_bytes = 5;
            sys(self, "call with a string", Syscall::ipc_call, {k_ep, Message_tag(4, 1, true).raw(), 9});
        });
    }

    void finite_call_timeout() {
        echo_server();
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) {
            sys(self, "call 10ms", Syscall::ipc_call, {k_ep, tag(1, 1), 5}, 10000000);
            sys(self, "call zero", Syscall::ipc_call, {k_ep, tag(1, 1), 6}, ipclab::timeout_zero);
        });
    }

    /// A client at 200 calls a server at 50 while a bystander at `bystander_priority` is ready.
    void ready_thread_around_the_server(uint8_t bystander_priority) {
        echo_server(50);
        run_until_idle();
        actor("bystander", bystander_priority, 0, [this](Thread&) { note("bystander runs"); });
        actor("client", 200, badge_a, [this](Thread& self) {
            sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), 1});
            sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), 2});
        });
    }
    void ready_thread_above_the_server() { ready_thread_around_the_server(100); }
    void ready_thread_level_with_the_server() { ready_thread_around_the_server(50); }

    void server_with_a_receive_timeout() {
        actor("server", 100, 0, [this](Thread& self) {
            sys(self, "recv 10ms", Syscall::ipc_recv, {k_ep}, 10000000);
            sys(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(1, 1), self.frame().arg(2) + 1});
            sys(self, "reply_recv 10ms", Syscall::ipc_reply_recv, {k_ep, tag(1, 1), self.frame().arg(2) + 1}, 10000000);
        });
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) {
            sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), 1}); // to a receiver with a timeout
            sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), 2}); // to one without
        });
    }

    void server_holding_an_unanswered_call() {
        actor("server", 100, 0, [this](Thread& self) {
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
            sys(self, "recv again", Syscall::ipc_recv, {k_ep}); // drops the first caller's reply
            snapshot("second call");
            sys(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(1, 1), 99});
        });
        run_until_idle();
        actor("first", 100, badge_a, [this](Thread& self) { sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), 1}); });
        run_until_idle();
        actor("second", 100, badge_b, [this](Thread& self) { sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), 2}); });
    }

    void reply_recv_with_callers_queued() {
        actor("server", 100, 0, [this](Thread& self) {
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
            kernel::scheduler().yield(); // the other clients queue their calls meanwhile
            snapshot("callers queued");
            for (;;)
                if (traced(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(1, 1), self.frame().arg(2) + 1}) != Status::ok)
                    return;
        });
        run_until_idle();
        const std::pair<const char*, uint64_t> clients[] = {{"a", badge_a}, {"b", badge_b}, {"c", badge_c}};
        for (auto [name, badge] : clients) {
            actor(name, 100, badge, [this, badge](Thread& self) {
                sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), badge >> 28});
            });
        }
    }

    void caller_outranked_at_the_reply() {
        actor("server", 200, 0, [this](Thread& self) {
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
            sys(self, "wake bystander", Syscall::ipc_send, {k_side, tag(0, 0)});
            sys(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(1, 1), 5});
        });
        actor("bystander", 100, 0, [this](Thread& self) {
            sys(self, "recv side", Syscall::ipc_recv, {k_side});
            note("bystander runs");
        });
        run_until_idle();
        actor("client", 50, badge_a, [this](Thread& self) { sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), 1}); });
    }

    void decode_errors() {
        echo_server();
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) {
            sys(self, "call slot 0", Syscall::ipc_call, {0, tag(0, 0)});
            sys(self, "call empty slot", Syscall::ipc_call, {99, tag(0, 0)});
            sys(self, "call slot out of range", Syscall::ipc_call, {ipclab::cap_slots, tag(0, 0)});
            sys(self, "call receive-only", Syscall::ipc_call, {k_recv_only, tag(0, 0)});
            sys(self, "call with the kernel-set redirected bit", Syscall::ipc_call, {k_ep, tag(0, 0) | Message_tag::redirected_bit});
            sys(self, "call kernel bit", Syscall::ipc_call, {k_ep, tag(0, 0) | Message_tag::by_thread_id_bit});
            sys(self, "call 65 words", Syscall::ipc_call, {k_ep, tag(0, 65)});
            sys(self, "call_tid nobody", Syscall::ipc_call_tid, {0, tag(0, 0)});
            sys(self, "reply_recv send-only", Syscall::ipc_reply_recv, {k_send_only, tag(0, 0)});
            sys(self, "reply_recv nobody to answer, zero", Syscall::ipc_reply_recv, {k_ep, tag(0, 0)}, ipclab::timeout_zero);
            self.utcb().recv_string_addr = 0xffff800000000000;
            self.utcb().recv_string_capacity = 16;
            sys(self, "call with a bad reply window", Syscall::ipc_call, {k_ep, tag(0, 1), 1});
            self.utcb().recv_string_capacity = 0;
            sys(self, "call", Syscall::ipc_call, {k_ep, tag(0, 1), 1});
        });
    }

    void bad_window_in_reply_recv() {
        actor("server", 100, 0, [this](Thread& self) {
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
            self.utcb().recv_string_addr = 0;
            self.utcb().recv_string_capacity = 16;
            sys(self, "reply_recv bad window", Syscall::ipc_reply_recv, {k_ep, tag(1, 1), 7});
            snapshot("the caller still waits");
            self.utcb().recv_string_capacity = 0;
            sys(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(1, 1), 8});
        });
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) { sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 0)}); });
    }

    void server_dies_holding_the_reply() {
        Thread& server = actor("server", 100, 0, [this](Thread& self) {
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
            sys(self, "recv side", Syscall::ipc_recv, {k_side}); // never answers
        });
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) { sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), 1}); });
        run_until_idle();
        snapshot("server holds the reply");
        kill_actor(server);
    }

    void slow_reply_to_a_fast_call() {
        actor("server", 100, 0, [this](Thread& self) {
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
            sys(self, "reply", Syscall::ipc_reply, {0, tag(1, 2), 3, 4});
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
        });
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) {
            sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 1), 1});
            sys(self, "send", Syscall::ipc_send, {k_ep, tag(1, 1), 2});
        });
    }

    void items_take_the_slow_path() {
        actor("server", 100, 0, [this](Thread& self) {
            self.utcb().recv_cap_slot = 40;
            self.utcb().recv_map_addr = 0x40000;
            self.utcb().recv_map_pages = 1;
            sys(self, "recv", Syscall::ipc_recv, {k_ep});
            const kernel::Capability& c = self.task().caps().at(40);
            note(std::string("server slot 40: ") + (c.object == &side ? "side" : c.object ? "?" : "empty"));
            sys(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(1, 0)});
            note("server pages received: " + std::to_string(self.utcb().recv_map_received));
            char text[5] = {};
            EXPECT_EQ(kernel::copy_from_user(self.task().space(), 0x40000, text, 4), Status::ok);
            note(std::string("server mapped page: ") + text);
            sys(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(1, 0)});
            sys(self, "reply_recv", Syscall::ipc_reply_recv, {k_ep, tag(1, 0)});
        });
        run_until_idle();
        actor("client", 100, badge_a, [this](Thread& self) {
            self.utcb().send_cap_slot = k_side;
            sys(self, "call with a capability", Syscall::ipc_call, {k_ep, Message_tag(1, 0).with(Message_tag::cap_bit, true).raw()});
            EXPECT_EQ(kernel::copy_to_user(self.task().space(), buffer, "page", 4), Status::ok);
            self.utcb().send_map_addr = buffer;
            self.utcb().send_map_pages = 1;
            self.utcb().send_map_writable = 0;
            sys(self, "call with a page", Syscall::ipc_call, {k_ep, Message_tag(1, 0).with(Message_tag::map_bit, true).raw()});
            sys(self, "call", Syscall::ipc_call, {k_ep, tag(1, 0)});
        });
    }

private:
    std::vector<std::string>* m_trace = nullptr;
    std::vector<Thread*> m_actors;
    std::map<const Thread*, std::string> m_names;
};

struct Scenario {
    const char* name;
    void (Fastpath_test::*run)();
    uint64_t fast_operations; ///< calls and reply_recvs the fast path must take when on
};

void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

class Fastpath_equivalence_test : public Fastpath_test, public ::testing::WithParamInterface<Scenario> {};

TEST_P(Fastpath_equivalence_test, gives_the_slow_paths_results) {
    const Scenario& s = GetParam();
    const Result slow = record(false, s.run);
    const Result fast = record(true, s.run);
    EXPECT_EQ(slow.fast_switches, 0u) << "the fast path was off";
    EXPECT_EQ(fast.fast_switches, s.fast_operations) << "operations the fast path took";
    EXPECT_EQ(fast.trace, slow.trace);
    EXPECT_EQ(fast.switches, slow.switches) << "context switches";
    EXPECT_EQ(fast.preemptions, slow.preemptions);
    EXPECT_FALSE(fast.trace.empty());
}

INSTANTIATE_TEST_SUITE_P(
    scenarios, Fastpath_equivalence_test,
    ::testing::Values(Scenario{"ping_pong", &Fastpath_test::ping_pong, 8},
                      Scenario{"call_by_thread_id", &Fastpath_test::call_by_thread_id, 6},
                      Scenario{"long_messages", &Fastpath_test::long_messages, 2},
                      Scenario{"string_item", &Fastpath_test::string_item, 1},
                      Scenario{"finite_call_timeout", &Fastpath_test::finite_call_timeout, 4},
                      Scenario{"ready_thread_above_the_server", &Fastpath_test::ready_thread_above_the_server, 3},
                      Scenario{"ready_thread_level_with_the_server", &Fastpath_test::ready_thread_level_with_the_server, 4},
                      Scenario{"server_with_a_receive_timeout", &Fastpath_test::server_with_a_receive_timeout, 3},
                      Scenario{"server_holding_an_unanswered_call", &Fastpath_test::server_holding_an_unanswered_call, 2},
                      Scenario{"reply_recv_with_callers_queued", &Fastpath_test::reply_recv_with_callers_queued, 2},
                      Scenario{"caller_outranked_at_the_reply", &Fastpath_test::caller_outranked_at_the_reply, 1},
                      Scenario{"decode_errors", &Fastpath_test::decode_errors, 2},
                      Scenario{"bad_window_in_reply_recv", &Fastpath_test::bad_window_in_reply_recv, 2},
                      Scenario{"server_dies_holding_the_reply", &Fastpath_test::server_dies_holding_the_reply, 1},
                      Scenario{"slow_reply_to_a_fast_call", &Fastpath_test::slow_reply_to_a_fast_call, 1},
                      Scenario{"items_take_the_slow_path", &Fastpath_test::items_take_the_slow_path, 4}),
    [](const ::testing::TestParamInfo<Scenario>& info) { return std::string(info.param.name); });

// What the traces must say, so an equivalence of two wrong runs cannot pass.

TEST_F(Fastpath_test, ping_pong_delivers_the_words_and_zeroes_the_rest) {
    const Result r = record(true, &Fastpath_test::ping_pong);
    const std::vector<std::string> calls = [&] {
        std::vector<std::string> v;
        for (const std::string& l : r.trace)
            if (l.rfind("client call", 0) == 0) v.push_back(l);
        return v;
    }();
    // Replies of length 1, 2, 3, 1 (the server's n % 3 + 1): words beyond are zero.
    EXPECT_EQ(calls, (std::vector<std::string>{
                         "client call -> ok r0=0 r1=1001 r2=2 r3=0 r4=0 r5=0",
                         "client call -> ok r0=0 r1=1002 r2=b r3=5ec0 r4=0 r5=0",
                         "client call -> ok r0=0 r1=1003 r2=65 r3=5ec0 r4=5ec1 r5=0",
                         "client call -> ok r0=0 r1=1001 r2=1 r3=0 r4=0 r5=0",
                     }));
    const auto has = [&](const std::string& line) { return std::find(r.trace.begin(), r.trace.end(), line) != r.trace.end(); };
    EXPECT_TRUE(has("server reply_recv -> ok r0=a0000000 r1=7002 r2=a r3=dead1 r4=0 r5=0")) << "the second request";
    EXPECT_TRUE(has("server reply_recv -> ok r0=a0000000 r1=7000 r2=0 r3=0 r4=0 r5=0")) << "the empty one";
    EXPECT_TRUE(has("[server has a request] server:ready,reply_to=client,holder=- client:waiting for a reply,reply_to=-,holder=server ep:idle side:idle"));
}

TEST_F(Fastpath_test, a_call_by_thread_id_is_marked_and_badged_with_the_caller) {
    const Result r = record(true, &Fastpath_test::call_by_thread_id);
    ASSERT_GE(r.trace.size(), 3u);
    EXPECT_NE(std::find(r.trace.begin(), r.trace.end(),
                        "server recv -> ok r0=id(client) r1=3401 r2=15 r3=0 r4=0 r5=0"),
              r.trace.end());
    EXPECT_NE(std::find(r.trace.begin(), r.trace.end(), "client call_tid -> ok r0=0 r1=2001 r2=2a r3=0 r4=0 r5=0"),
              r.trace.end());
    EXPECT_NE(std::find(r.trace.begin(), r.trace.end(), "server reply_recv -> ok r0=a0000000 r1=3000 r2=0 r3=0 r4=0 r5=0"),
              r.trace.end())
        << "by capability: the badge, no thread-id flag";
}

TEST_F(Fastpath_test, a_dead_server_fails_a_fast_caller_through_the_slow_path) {
    const Result r = record(true, &Fastpath_test::server_dies_holding_the_reply);
    EXPECT_NE(std::find(r.trace.begin(), r.trace.end(), "client call -> partner_dead r0=2 r1=1001 r2=1 r3=0 r4=0 r5=0"),
              r.trace.end());
}

// A call with a finite timeout takes the fast path and arms the timer for the reply: a server
// that never answers lets it time out; one that answers in time disarms it.
TEST_F(Fastpath_test, a_fast_call_with_a_finite_timeout_times_out_or_is_disarmed) {
    test::advance_clock(1000000);
    kernel::timeouts().start();
    const uint64_t t0 = arch::now();
    std::vector<Status> got;
    actor("server", 100, 0, [&](Thread& self) {
        (void)test::syscall(self, Syscall::ipc_recv, {k_ep});
        (void)test::syscall(self, Syscall::ipc_reply_recv, {k_ep, tag(1, 1), 7}); // answers the first call
        park(self); // ... and holds the second unanswered
    });
    run_until_idle();
    Thread& client = actor("client", 100, badge_a, [&](Thread& self) {
        got.push_back(test::syscall(self, Syscall::ipc_call, {k_ep, tag(1, 1), 1}, 10000000));
        got.push_back(test::syscall(self, Syscall::ipc_call, {k_ep, tag(1, 1), 2}, 10000000));
    });
    run_until_idle();
    EXPECT_EQ(got, (std::vector<Status>{Status::ok})) << "the first call answered, the second waits";
    EXPECT_EQ(client.state(), kernel::Thread_state::blocked_reply);
    arch::host::set_now(t0 + 10000000 - 1);
    test::timer_interrupt();
    run_until_idle();
    EXPECT_EQ(got.size(), 1u) << "not before its deadline";
    arch::host::set_now(t0 + 20000000);
    test::timer_interrupt();
    run_until_idle();
    EXPECT_EQ(got, (std::vector<Status>{Status::ok, Status::timed_out}));
}

} // namespace
