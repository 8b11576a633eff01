// Typed RPC (ipclab/rpc.hpp) end to end: a server offering a few methods, and a client that
// calls each, then sends malformed requests and checks the distinct errors that come back.
// usage: rpc_demo server          (capability: endpoint in slot 2, receive right)
//        rpc_demo client BADGE    (capability: endpoint in slot 2, send right, badge BADGE)
// The client prints one JSON line per check and a summary, and exits 1 if a check failed.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipclab/rpc.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t endpoint_slot = 2;
constexpr uint64_t max_clients = 16;

// The interface, declared once for both sides.
enum class Op : uint64_t { add = 1, offset, reverse, whoami, deposit, balance, missing };

struct Point {
    int32_t x, y, z; // 12 bytes: two registers
};
struct Block {
    uint64_t word[max_message_registers]; // a whole message
};

using Add = rpc::Method<Op::add, int64_t, int64_t, int64_t>;
// Four arguments of four sizes; the Point lies in MR3 and MR4, across the register/UTCB line.
using Offset = rpc::Method<Op::offset, Point, int8_t, int16_t, int32_t, Point>;
using Reverse = rpc::Method<Op::reverse, Block, Block>;  // 64 registers each way
using Whoami = rpc::Method<Op::whoami, uint64_t>;        // the caller's badge
using Deposit = rpc::Method<Op::deposit, void, int64_t>; // into the caller's own account
using Balance = rpc::Method<Op::balance, int64_t>;

// What a client gets wrong: a method the server does not offer, and two that disagree
// with the server's declaration (one argument too few; a wider result than it returns).
using Missing = rpc::Method<Op::missing, int64_t, int64_t>;
using Add_one_argument = rpc::Method<Op::add, int64_t, int64_t>;
using Whoami_wide = rpc::Method<Op::whoami, Point>;

// Misuse that does not compile (try it):
//   rpc::call<Add>(endpoint_slot, 1);                    // Add takes two arguments
//   rpc::call<Add>(endpoint_slot, 1, "2");               // const char* is not int64_t
//   using Bad = rpc::Method<9, int64_t, const char*>;    // a pointer does not travel
//   using Huge = rpc::Method<9, int64_t, Block, int8_t>; // 65 registers
//   rpc::handle<Add>([](int64_t a) { return a; })        // in serve: wrong handler arguments

// The server's handlers: plain functions or lambdas taking the method's argument types,
// after an rpc::Caller if they need the client's badge.
int64_t accounts[max_clients]; // indexed by badge: each client's state in O(1)

Point offset(int8_t dx, int16_t dy, int32_t dz, Point p) {
    return Point{p.x + dx, p.y + dy, p.z + dz};
}

Block reverse(Block b) {
    Block r;
    for (unsigned i = 0; i < max_message_registers; ++i)
        r.word[i] = b.word[max_message_registers - 1 - i];
    return r;
}

void deposit(rpc::Caller c, int64_t amount) {
    if (c.badge < max_clients) accounts[c.badge] += amount;
}

int64_t balance(rpc::Caller c) {
    return c.badge < max_clients ? accounts[c.badge] : -1;
}

[[noreturn]] void server() {
    Status s =
        rpc::serve(endpoint_slot, rpc::handle<Add>([](int64_t a, int64_t b) { return a + b; }),
                   rpc::handle<Offset>(offset), rpc::handle<Reverse>(reverse),
                   rpc::handle<Whoami>([](rpc::Caller c) { return c.badge; }),
                   rpc::handle<Deposit>(deposit), rpc::handle<Balance>(balance));
    fprintf(stderr, "rpc_demo server: receive failed: %s\n", status_name(s));
    exit(1);
}

uint64_t badge;
int failures = 0;

void check(const char* name, bool ok, Status status = Status::ok,
           rpc::Error error = rpc::Error::none) {
    printf("{\"type\":\"check\",\"client\":%llu,\"case\":\"%s\",\"status\":\"%s\",\"error\":\"%s\","
           "\"ok\":%s}\n",
           (unsigned long long)badge, name, status_name(status), rpc::error_name(error),
           ok ? "true" : "false");
    if (!ok) ++failures;
}

template <class T> void check_value(const char* name, const rpc::Result<T>& r, bool value_ok) {
    check(name, r.ok() && value_ok, r.status, r.error);
}

template <class T> void check_error(const char* name, const rpc::Result<T>& r, rpc::Error want) {
    check(name, r.status == Status::ok && r.error == want, r.status, r.error);
}

/// A raw call with `m`; true when the reply is the error reply carrying `want`.
bool raw_error(const Message& m, rpc::Error want) {
    Received r = ipc_call(endpoint_slot, m);
    return r.status == Status::ok && r.message.tag.label() == rpc::error_label &&
           r.message.tag.length() == 1 && r.message.mr[0] == uint64_t(want);
}

void typed_calls() {
    auto sum = rpc::call<Add>(endpoint_slot, 40, 2);
    check_value("add", sum, sum.value == 42);
    auto negative = rpc::call<Add>(endpoint_slot, -5, 3);
    check_value("add negative", negative, negative.value == -2);

    auto moved = rpc::call<Offset>(endpoint_slot, -3, 300, -70000, Point{10, 20, 30});
    check_value("struct argument and result", moved,
                moved.value.x == 7 && moved.value.y == 320 && moved.value.z == -69970);

    Block block;
    for (unsigned i = 0; i < max_message_registers; ++i)
        block.word[i] = (badge << 32) | i;
    auto reversed = rpc::call<Reverse>(endpoint_slot, block);
    bool in_order = true;
    for (unsigned i = 0; i < max_message_registers; ++i)
        in_order &= reversed.value.word[i] == ((badge << 32) | (max_message_registers - 1 - i));
    check_value("64 registers each way", reversed, in_order);

    auto me = rpc::call<Whoami>(endpoint_slot);
    check_value("badge reaches the handler", me, me.value == badge);

    auto first = rpc::call<Deposit>(endpoint_slot, int64_t(badge) * 100);
    auto second = rpc::call<Deposit>(endpoint_slot, int64_t(badge));
    check("void result", first.ok() && second.ok(), second.status, second.error);
    auto balance = rpc::call<Balance>(endpoint_slot);
    check_value("per-client state by badge", balance, balance.value == int64_t(badge) * 101);
}

void malformed_calls() {
    check_error("unknown opcode (typed)", rpc::call<Missing>(endpoint_slot, 1),
                rpc::Error::unknown_opcode);
    check_error("too few arguments for the server (typed)",
                rpc::call<Add_one_argument>(endpoint_slot, 1), rpc::Error::bad_length);
    check_error("reply shorter than the client's result", rpc::call<Whoami_wide>(endpoint_slot),
                rpc::Error::bad_reply);

    check("unknown opcode (raw)",
          raw_error(Message{Message_tag{77, 0}, {}}, rpc::Error::unknown_opcode));
    check("error label as opcode (raw)",
          raw_error(Message{Message_tag{rpc::error_label, 1}, {1}}, rpc::Error::unknown_opcode));
    check("length too short (raw)",
          raw_error(Message{Message_tag{uint64_t(Op::add), 1}, {5}}, rpc::Error::bad_length));
    check("length too long (raw)",
          raw_error(Message{Message_tag{uint64_t(Op::add), 3}, {5, 6, 7}}, rpc::Error::bad_length));
    check("arguments where none are taken (raw)",
          raw_error(Message{Message_tag{uint64_t(Op::whoami), 1}, {5}}, rpc::Error::bad_length));

    // A string item: an empty one reaches the server, which refuses it; a longer one does
    // not fit the server's (absent) string window, so the kernel fails the call and the
    // server, skipping it, keeps serving.
    static char text[] = "not part of the interface";
    Utcb& u = utcb();
    u.send_string_addr = reinterpret_cast<uint64_t>(text);
    u.send_string_bytes = 0;
    check("empty string item (raw)",
          raw_error(Message{Message_tag{uint64_t(Op::add), 2, true}, {1, 2}},
                    rpc::Error::bad_length));
    u.send_string_bytes = sizeof text;
    Status s =
        ipc_call(endpoint_slot, Message{Message_tag{uint64_t(Op::add), 2, true}, {1, 2}}).status;
    check("string item the server cannot take", s == Status::message_too_long, s);
    u.send_string_bytes = 0;
    auto after = rpc::call<Add>(endpoint_slot, 1, 1);
    check_value("server still serving", after, after.value == 2);
}

void streams() {
    // seeds/004's IPC stream against the typed server: same wire format.
    Message_writer out{uint64_t(Op::add)};
    out << int64_t{20} << int64_t{22};
    Received got = ipc_call(endpoint_slot, out.message());
    Message_reader in{got.message};
    int64_t sum = 0;
    in >> sum;
    check("stream call",
          got.status == Status::ok && in.at_end() && in.label() == uint64_t(Op::add) && sum == 42,
          got.status);

    // Round trip in place, the Point across MR3/MR4; then the limits.
    Message_writer w{5};
    w << int8_t{-1} << uint16_t{65535} << int32_t{-7} << Point{1, -2, 3};
    Message m = w.message();
    Message_reader r{m};
    int8_t a = 0;
    uint16_t b = 0;
    int32_t c = 0;
    Point p{};
    r >> a >> b >> c >> p;
    check("stream round trip", w.ok() && m.tag.length() == 5 && r.at_end() && a == -1 &&
                                   b == 65535 && c == -7 && p.x == 1 && p.y == -2 && p.z == 3);
    int64_t extra = 0;
    check("stream underflow", !r.get(extra) && !r.ok() && !r.at_end());

    Message_writer full{5};
    for (unsigned i = 0; i < max_message_registers; ++i)
        full << uint64_t{i};
    bool fits = full.ok() && full.words() == max_message_registers;
    check("stream 64 registers", fits && !full.put(uint8_t{1}) && !full.ok());
    Status s = ipc_call(endpoint_slot, full.message()).status;
    check("overflowed stream is refused by the kernel", s == Status::invalid_argument, s);
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 2 && !strcmp(argv[1], "server")) server();
    if (argc != 3 || strcmp(argv[1], "client") != 0) {
        fprintf(stderr, "usage: rpc_demo server | client BADGE\n");
        return 2;
    }
    badge = strtoull(argv[2], nullptr, 10);
    typed_calls();
    malformed_calls();
    streams();
    printf("{\"type\":\"rpc_demo\",\"client\":%llu,\"failures\":%d}\n", (unsigned long long)badge,
           failures);
    return failures ? 1 : 0;
}
