// The run-description parser (kernel/boot/manifest.cpp; format in docs/run-description.md):
// a full valid description, and every error with the line and message it reports.
#include <gtest/gtest.h>

#include <string.h>

#include <memory>
#include <string>

#include "abi/capability.hpp"
#include "boot/manifest.hpp"
#include "policy/policy.hpp"

namespace {

using kernel::Manifest;
using kernel::Manifest_error;

struct Parsed {
    bool ok;
    std::unique_ptr<Manifest> manifest = std::make_unique<Manifest>(); // ~250 KB
    Manifest_error error;
};

Parsed parse(const std::string& text, unsigned modules) {
    Parsed p;
    p.ok = kernel::parse_manifest(text.data(), text.size(), modules, *p.manifest, p.error);
    return p;
}

const char* const full_example = "ipclab-run 1\n"
                                 "# the native ping-pong, and a communicator\n"
                                 "\n"
                                 "policy capability   # trailing comment\n"
                                 "endpoint pingpong\n"
                                 "task 1 name=server daemon stack=256\n"
                                 "task 2 name=client root\n"
                                 "\ttask 3   name=w-3.x_Y\r\n"
                                 "communicator world 1 2 1 3\n"
                                 "cap 1 2 pingpong r\n"
                                 "cap 2 2 pingpong s badge=1234567890123456789\n"
                                 "cap 3 5 pingpong srg\n"
                                 "cap 3 6 pingpong -\n"
                                 "env 2 IPCLAB_COMMIT=0123abcd\n"
                                 "env 3 A==b";

TEST(Manifest, a_full_description_is_parsed) {
    const std::string text = full_example;
    Parsed p = parse(text, 4);
    ASSERT_TRUE(p.ok) << "line " << p.error.line << ": " << p.error.message;
    const Manifest& m = *p.manifest;
    EXPECT_STREQ(m.policy, "capability");
    EXPECT_FALSE(m.selftest_panic);

    ASSERT_EQ(m.task_count, 3u);
    EXPECT_EQ(m.tasks[0].module, 1u);
    EXPECT_STREQ(m.tasks[0].name, "server");
    EXPECT_TRUE(m.tasks[0].daemon);
    EXPECT_FALSE(m.tasks[0].root);
    EXPECT_EQ(m.tasks[0].stack_kib, 256u);
    EXPECT_STREQ(m.tasks[1].name, "client");
    EXPECT_FALSE(m.tasks[1].daemon);
    EXPECT_TRUE(m.tasks[1].root);
    EXPECT_EQ(m.tasks[1].stack_kib, kernel::default_stack_kib);
    EXPECT_STREQ(m.tasks[2].name, "w-3.x_Y");
    EXPECT_EQ(m.task_of_module(3), 2);
    EXPECT_EQ(m.task_of_module(0), -1);
    EXPECT_EQ(m.task_of_module(4), -1);

    ASSERT_EQ(m.object_count, 2u);
    EXPECT_STREQ(m.objects[0].name, "pingpong");
    EXPECT_EQ(m.objects[0].kind, Manifest::Kind::endpoint);
    EXPECT_STREQ(m.objects[1].name, "world");
    EXPECT_EQ(m.objects[1].kind, Manifest::Kind::communicator);
    EXPECT_EQ(m.objects[1].slot, 1u);
    ASSERT_EQ(m.objects[1].member_count, 3u);
    // Rank r is the task of the r-th module listed: modules 2, 1, 3 are tasks 1, 0, 2.
    const uint32_t* ranks = &m.members[m.objects[1].first_member];
    EXPECT_EQ(ranks[0], 1u);
    EXPECT_EQ(ranks[1], 0u);
    EXPECT_EQ(ranks[2], 2u);

    ASSERT_EQ(m.cap_count, 4u);
    EXPECT_EQ(m.caps[0].task, 0u);
    EXPECT_EQ(m.caps[0].slot, 2u);
    EXPECT_EQ(m.caps[0].object, 0u);
    EXPECT_EQ(m.caps[0].rights, ipclab::right_receive);
    EXPECT_EQ(m.caps[0].badge, 0u);
    EXPECT_EQ(m.caps[1].task, 1u);
    EXPECT_EQ(m.caps[1].rights, ipclab::right_send);
    EXPECT_EQ(m.caps[1].badge, 1234567890123456789u);
    EXPECT_EQ(m.caps[2].object, 0u);
    EXPECT_EQ(m.caps[2].slot, 5u);
    EXPECT_EQ(m.caps[2].rights, ipclab::rights_all);
    EXPECT_EQ(m.caps[3].rights, 0u);

    ASSERT_EQ(m.env_count, 2u);
    EXPECT_EQ(m.env[0].task, 1u);
    EXPECT_EQ(std::string(m.env[0].text, m.env[0].length), "IPCLAB_COMMIT=0123abcd");
    EXPECT_EQ(m.env[0].text, text.data() + text.find("IPCLAB_COMMIT")) << "env points into the text";
    EXPECT_EQ(std::string(m.env[1].text, m.env[1].length), "A==b");
}

TEST(Manifest, the_documented_example_is_valid) {
    Parsed p = parse("ipclab-run 1\npolicy capability\nendpoint pingpong\ntask 1 name=server daemon\n"
                     "task 2 name=client\ncap 1 2 pingpong r\ncap 2 2 pingpong s badge=1\n"
                     "env 2 IPCLAB_COMMIT=0123abcd\n",
                     3);
    EXPECT_TRUE(p.ok) << p.error.message;
}

TEST(Manifest, selftest_panic_is_recorded) {
    Parsed p = parse("ipclab-run 1\npolicy capability\nselftest panic\n", 1);
    ASSERT_TRUE(p.ok) << p.error.message;
    EXPECT_TRUE(p.manifest->selftest_panic);
}

TEST(Manifest, a_second_parse_starts_from_nothing) {
    auto m = std::make_unique<Manifest>();
    Manifest_error e;
    const std::string first = full_example;
    ASSERT_TRUE(kernel::parse_manifest(first.data(), first.size(), 4, *m, e));
    const std::string second = "ipclab-run 1\npolicy other\n";
    ASSERT_TRUE(kernel::parse_manifest(second.data(), second.size(), 1, *m, e));
    EXPECT_STREQ(m->policy, "other");
    EXPECT_EQ(m->task_count + m->object_count + m->cap_count + m->env_count + m->member_count, 0u);
}

TEST(Manifest, a_line_with_too_many_words_is_refused) {
    std::string text = "ipclab-run 1\npolicy capability\nendpoint";
    for (int i = 0; i < 1100; ++i) text += " w";
    Parsed p = parse(text, 1);
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(p.error.line, 3u);
    EXPECT_STREQ(p.error.message, "line has too many words");
}

TEST(Manifest, a_long_message_is_cut_and_terminated) {
    Parsed p = parse("ipclab-run 1\n" + std::string(300, 'x') + "\n", 1);
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(strlen(p.error.message), sizeof p.error.message - 1);
    EXPECT_EQ(std::string(p.error.message).rfind("unknown directive: 'xxx", 0), 0u);
}

TEST(Manifest, missing_task_lines_name_the_first_module_without_one) {
    std::string text = "ipclab-run 1\npolicy capability\n";
    for (int module = 1; module <= 11; ++module)
        if (module != 10) text += "task " + std::to_string(module) + " name=t" + std::to_string(module) + "\n";
    Parsed p = parse(text, 12);
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(p.error.line, 0u);
    EXPECT_STREQ(p.error.message, "a boot module has no task line: '10'");
}

// `send_timeout COMM NS` and `rights COMM allow|deny FROM|* TO|*` (boot/compose.cpp applies
// them in order over the default: no timeout, everything allowed).
TEST(Manifest, send_timeout_and_rights_lines_are_recorded) {
    Parsed p = parse("ipclab-run 1\npolicy mpi-rights\ntask 1 name=a\ntask 2 name=b\ntask 3 name=c\n"
                     "communicator world 1 1 2 3\ncommunicator pair 2 3 1\n"
                     "send_timeout world 5000000\nsend_timeout pair 1\nsend_timeout world 9999999999999999999\n"
                     "rights world deny * 2\nrights world allow 0 2\nrights pair deny 1 *\nrights world allow * *\n",
                     4);
    ASSERT_TRUE(p.ok) << "line " << p.error.line << ": " << p.error.message;
    const Manifest& m = *p.manifest;
    ASSERT_EQ(m.object_count, 2u);
    EXPECT_EQ(m.objects[0].send_timeout, 9999999999999999999u) << "the last line for a communicator wins";
    EXPECT_EQ(m.objects[1].send_timeout, 1u);
    ASSERT_EQ(m.right_count, 4u);
    const Manifest::Right expected[] = {{0, -1, 2, false}, {0, 0, 2, true}, {1, 1, -1, false}, {0, -1, -1, true}};
    for (unsigned i = 0; i < 4; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(m.rights[i].object, expected[i].object);
        EXPECT_EQ(m.rights[i].from, expected[i].from);
        EXPECT_EQ(m.rights[i].to, expected[i].to);
        EXPECT_EQ(m.rights[i].allowed, expected[i].allowed);
    }
}

TEST(Manifest, kill_lines_are_recorded_per_task) {
    Parsed p = parse("ipclab-run 1\npolicy capability\ntask 1 name=a\ntask 2 name=b\ntask 3 name=c\n"
                     "kill 2 reply_cap 1\nkill 3 comm_wait 4294967295\n",
                     4);
    ASSERT_TRUE(p.ok) << "line " << p.error.line << ": " << p.error.message;
    const Manifest& m = *p.manifest;
    EXPECT_EQ(m.kill_count, 2u);
    EXPECT_EQ(m.tasks[0].kill_point, kernel::fault_injection::Point::none);
    EXPECT_EQ(m.tasks[1].kill_point, kernel::fault_injection::Point::reply_cap);
    EXPECT_EQ(m.tasks[1].kill_nth, 1u);
    EXPECT_EQ(m.tasks[2].kill_point, kernel::fault_injection::Point::comm_wait);
    EXPECT_EQ(m.tasks[2].kill_nth, 4294967295u);
}

TEST(Manifest, a_communicator_without_send_timeout_or_rights_lines_gets_the_defaults) {
    Parsed p = parse("ipclab-run 1\npolicy capability\ntask 1 name=a\ncommunicator world 1 1\n", 2);
    ASSERT_TRUE(p.ok) << p.error.message;
    EXPECT_EQ(p.manifest->objects[0].send_timeout, 0u) << "0: the policy's";
    EXPECT_EQ(p.manifest->right_count, 0u);
}

TEST(Manifest, too_many_rights_lines_are_refused) {
    std::string text = "ipclab-run 1\npolicy capability\ntask 1 name=a\ncommunicator world 1 1\n";
    for (unsigned i = 0; i <= Manifest::max_rights; ++i) text += "rights world deny 0 0\n";
    Parsed p = parse(text, 2);
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(p.error.line, 4u + Manifest::max_rights + 1);
    EXPECT_STREQ(p.error.message, "too many rights lines");
}

// The parser takes any well-formed policy name; the kernel's policy list decides
// (boot/main.cpp fails the boot when select_policy refuses the name).
TEST(Manifest, an_unknown_policy_is_parsed_but_not_selectable) {
    Parsed p = parse("ipclab-run 1\npolicy mpi-nonsense\n", 1);
    ASSERT_TRUE(p.ok) << p.error.message;
    EXPECT_STREQ(p.manifest->policy, "mpi-nonsense");
    EXPECT_EQ(kernel::find_policy(p.manifest->policy), nullptr);
    EXPECT_FALSE(kernel::select_policy(p.manifest->policy));
    EXPECT_STREQ(kernel::policy().name(), "capability") << "a refused name leaves the policy alone";
}

TEST(Manifest, every_listed_policy_is_selectable_by_its_name) {
    const char* const names[] = {
#define IPCLAB_POLICY(id, name, description) name,
#include "policy/policies.def"
#undef IPCLAB_POLICY
    };
    for (const char* name : names) {
        SCOPED_TRACE(name);
        Parsed p = parse(std::string("ipclab-run 1\npolicy ") + name + "\n", 1);
        ASSERT_TRUE(p.ok) << p.error.message;
        ASSERT_NE(kernel::find_policy(p.manifest->policy), nullptr);
        EXPECT_TRUE(kernel::select_policy(p.manifest->policy));
        EXPECT_STREQ(kernel::policy().name(), name);
    }
    EXPECT_TRUE(kernel::select_policy("capability"));
    EXPECT_EQ(sizeof names / sizeof names[0], 9u);
}

// Every error: the description, the number of boot modules, the line and the message.
struct Bad_case {
    const char* name;
    const char* text;
    unsigned modules;
    unsigned line;
    const char* message;
};

/// Names the case in test output instead of dumping its bytes.
void PrintTo(const Bad_case& c, std::ostream* os) { *os << c.name; }

// Lines 1 and 2 of most cases.
#define HEAD "ipclab-run 1\npolicy capability\n"

const Bad_case bad_cases[] = {
    {"empty", "", 1, 0, "empty run description"},
    {"only_comments", "# nothing\n\n   # here\n", 1, 0, "empty run description"},
    {"wrong_version", "ipclab-run 2\n", 1, 1, "the description must start with 'ipclab-run 1'"},
    {"header_not_first", "\npolicy capability\n", 1, 2, "the description must start with 'ipclab-run 1'"},
    {"header_extra_word", "ipclab-run 1 x\n", 1, 1, "the description must start with 'ipclab-run 1'"},
    {"no_policy", "ipclab-run 1\n", 1, 0, "no policy line"},
    {"policy_usage", "ipclab-run 1\npolicy\n", 1, 2, "usage: policy NAME"},
    {"policy_bad_name", "ipclab-run 1\npolicy a/b\n", 1, 2, "names use letters, digits, '_', '-' and '.': 'a/b'"},
    {"name_too_long", HEAD "endpoint abcdefghijklmnopqrstuvwxyz012345\n", 1, 3,
     "name empty or longer than 31 characters: 'abcdefghijklmnopqrstuvwxyz012345'"},
    {"unknown_directive", HEAD "frobnicate x\n", 1, 3, "unknown directive: 'frobnicate'"},
    {"selftest_usage", HEAD "selftest crash\n", 1, 3, "usage: selftest panic"},
    {"endpoint_usage", HEAD "endpoint a b\n", 1, 3, "usage: endpoint NAME"},
    {"endpoint_twice", HEAD "endpoint ep\n# x\nendpoint ep\n", 1, 5, "object declared twice: 'ep'"},
    {"communicator_named_as_endpoint", HEAD "task 1 name=a\nendpoint ep\ncommunicator ep 1 1\n", 2, 5,
     "object declared twice: 'ep'"},
    {"task_usage", HEAD "task\n", 1, 3, "usage: task MODULE name=NAME [daemon] [root] [stack=KIB] [prio=0..255] [mcp=0..255]"},
    {"task_module_not_a_number", HEAD "task one name=a\n", 2, 3, "expected a number: 'one'"},
    {"task_module_negative", HEAD "task -1 name=a\n", 2, 3, "expected a number: '-1'"},
    {"task_module_twenty_digits", HEAD "task 12345678901234567890 name=a\n", 2, 3,
     "expected a number: '12345678901234567890'"},
    {"task_module_zero", HEAD "task 0 name=a\n", 2, 3, "no boot module with this number: '0'"},
    {"task_module_missing", HEAD "task 2 name=a\n", 2, 3, "no boot module with this number: '2'"},
    {"task_twice", HEAD "task 1 name=a\ntask 1 name=b\n", 2, 4, "module has two task lines: '1'"},
    {"task_without_name", HEAD "task 1 daemon\n", 2, 3, "task needs name=NAME"},
    {"task_empty_name", HEAD "task 1 name=\n", 2, 3, "name empty or longer than 31 characters: ''"},
    {"task_unknown_option", HEAD "task 1 name=a fast\n", 2, 3, "unknown task option: 'fast'"},
    {"task_small_stack", HEAD "task 1 name=a stack=7\n", 2, 3, "stack must be at least 8 KiB: 'stack=7'"},
    {"task_huge_stack", HEAD "task 1 name=a stack=65537\n", 2, 3, "number out of range: '65537'"},
    {"task_stack_not_a_number", HEAD "task 1 name=a stack=1M\n", 2, 3, "expected a number: '1M'"},
    {"module_without_task", HEAD "task 1 name=a\n", 3, 0, "a boot module has no task line: '2'"},
    {"cap_to_communicator", HEAD "task 1 name=a\ncommunicator world 1 1\ncap 1 2 world s badge=0\n", 2, 5,
     "capabilities to a communicator come from its communicator line: 'world'"},
    {"cap_usage_short", HEAD "task 1 name=a\nendpoint ep\ncap 1 2 ep\n", 2, 5,
     "usage: cap MODULE SLOT OBJECT RIGHTS [badge=N]"},
    {"cap_usage_long", HEAD "task 1 name=a\nendpoint ep\ncap 1 2 ep s badge=1 x\n", 2, 5,
     "usage: cap MODULE SLOT OBJECT RIGHTS [badge=N]"},
    {"cap_before_task", HEAD "endpoint ep\ncap 1 2 ep s\ntask 1 name=a\n", 2, 4,
     "no task line for this module (task lines come first): '1'"},
    {"cap_unknown_object", HEAD "task 1 name=a\ncap 1 2 ep s\nendpoint ep\n", 2, 4,
     "no object of this name (declare it first): 'ep'"},
    {"cap_slot_zero", HEAD "task 1 name=a\nendpoint ep\ncap 1 0 ep s\n", 2, 5, "slot 0 is never used: '0'"},
    {"cap_slot_too_big", HEAD "task 1 name=a\nendpoint ep\ncap 1 256 ep s\n", 2, 5, "number out of range: '256'"},
    {"cap_bad_rights", HEAD "task 1 name=a\nendpoint ep\ncap 1 2 ep sx\n", 2, 5,
     "rights are letters from 's', 'r', 'g', or '-': 'sx'"},
    {"cap_dash_with_letters", HEAD "task 1 name=a\nendpoint ep\ncap 1 2 ep s-\n", 2, 5,
     "rights are letters from 's', 'r', 'g', or '-': 's-'"},
    {"cap_capital_rights", HEAD "task 1 name=a\nendpoint ep\ncap 1 2 ep S\n", 2, 5,
     "rights are letters from 's', 'r', 'g', or '-': 'S'"},
    {"cap_badge_word", HEAD "task 1 name=a\nendpoint ep\ncap 1 2 ep s label=3\n", 2, 5, "expected badge=N: 'label=3'"},
    {"cap_badge_not_a_number", HEAD "task 1 name=a\nendpoint ep\ncap 1 2 ep s badge=0x10\n", 2, 5,
     "expected a number: '0x10'"},
    {"env_usage", HEAD "task 1 name=a\nenv 1 A=1 B=2\n", 2, 4, "usage: env MODULE|all KEY=VALUE (no spaces)"},
    {"env_without_equals", HEAD "task 1 name=a\nenv 1 FOO\n", 2, 4, "expected KEY=VALUE: 'FOO'"},
    {"env_without_key", HEAD "task 1 name=a\nenv 1 =x\n", 2, 4, "expected KEY=VALUE: '=x'"},
    {"env_before_task", HEAD "env 1 A=1\ntask 1 name=a\n", 2, 3,
     "no task line for this module (task lines come first): '1'"},
    {"communicator_usage", HEAD "task 1 name=a\ncommunicator world 1\n", 2, 4, "usage: communicator NAME SLOT MODULE..."},
    {"communicator_slot_zero", HEAD "task 1 name=a\ncommunicator world 0 1\n", 2, 4, "slot 0 is never used: '0'"},
    {"communicator_slot_too_big", HEAD "task 1 name=a\ncommunicator world 256 1\n", 2, 4,
     "number out of range: '256'"},
    {"communicator_slot_not_a_number", HEAD "task 1 name=a\ncommunicator world one 1\n", 2, 4,
     "expected a number: 'one'"},
    {"communicator_member_twice", HEAD "task 1 name=a\ntask 2 name=b\ncommunicator world 1 1 2 1\n", 3, 5,
     "task listed twice in one communicator: '1'"},
    {"communicator_member_without_task", HEAD "task 1 name=a\ncommunicator world 1 1 2\ntask 2 name=b\n", 3, 4,
     "no task line for this module (task lines come first): '2'"},
    {"communicator_bad_name", HEAD "task 1 name=a\ncommunicator w@rld 1 1\n", 2, 4,
     "names use letters, digits, '_', '-' and '.': 'w@rld'"},
    {"send_timeout_usage", HEAD "task 1 name=a\ncommunicator world 1 1\nsend_timeout world\n", 2, 5,
     "usage: send_timeout COMMUNICATOR NANOSECONDS"},
    {"send_timeout_usage_long", HEAD "task 1 name=a\ncommunicator world 1 1\nsend_timeout world 5 ns\n", 2, 5,
     "usage: send_timeout COMMUNICATOR NANOSECONDS"},
    {"send_timeout_unknown", HEAD "task 1 name=a\ncommunicator world 1 1\nsend_timeout wrld 5\n", 2, 5,
     "no communicator of this name: 'wrld'"},
    {"send_timeout_before_communicator", HEAD "task 1 name=a\nsend_timeout world 5\ncommunicator world 1 1\n", 2, 4,
     "no communicator of this name: 'world'"},
    {"send_timeout_endpoint", HEAD "endpoint ep\nsend_timeout ep 5\n", 1, 4, "no communicator of this name: 'ep'"},
    {"send_timeout_zero", HEAD "task 1 name=a\ncommunicator world 1 1\nsend_timeout world 0\n", 2, 5,
     "a send timeout of 0 would fail every send: '0'"},
    {"send_timeout_unit", HEAD "task 1 name=a\ncommunicator world 1 1\nsend_timeout world 5ms\n", 2, 5,
     "expected a number: '5ms'"},
    {"send_timeout_negative", HEAD "task 1 name=a\ncommunicator world 1 1\nsend_timeout world -5\n", 2, 5,
     "expected a number: '-5'"},
    {"send_timeout_twenty_digits", HEAD "task 1 name=a\ncommunicator world 1 1\nsend_timeout world 18446744073709551615\n",
     2, 5, "expected a number: '18446744073709551615'"},
    {"rights_usage_short", HEAD "task 1 name=a\ncommunicator world 1 1\nrights world deny 0\n", 2, 5,
     "usage: rights COMMUNICATOR allow|deny FROM-RANK|* TO-RANK|*"},
    {"rights_usage_long", HEAD "task 1 name=a\ncommunicator world 1 1\nrights world deny 0 0 0\n", 2, 5,
     "usage: rights COMMUNICATOR allow|deny FROM-RANK|* TO-RANK|*"},
    {"rights_bad_verb", HEAD "task 1 name=a\ncommunicator world 1 1\nrights world permit 0 0\n", 2, 5,
     "usage: rights COMMUNICATOR allow|deny FROM-RANK|* TO-RANK|*"},
    {"rights_unknown", HEAD "task 1 name=a\ncommunicator world 1 1\nrights wrld deny 0 0\n", 2, 5,
     "no communicator of this name: 'wrld'"},
    {"rights_endpoint", HEAD "endpoint ep\nrights ep deny * *\n", 1, 4, "no communicator of this name: 'ep'"},
    {"rights_from_out_of_range", HEAD "task 1 name=a\ntask 2 name=b\ncommunicator world 1 1 2\nrights world deny 2 0\n", 3,
     6, "number out of range: '2'"},
    {"rights_to_out_of_range", HEAD "task 1 name=a\ntask 2 name=b\ncommunicator world 1 1 2\nrights world allow * 2\n", 3,
     6, "number out of range: '2'"},
    {"rights_rank_not_a_number", HEAD "task 1 name=a\ncommunicator world 1 1\nrights world deny all 0\n", 2, 5,
     "expected a number: 'all'"},
    {"rights_rank_negative", HEAD "task 1 name=a\ncommunicator world 1 1\nrights world deny 0 -1\n", 2, 5,
     "expected a number: '-1'"},
    {"kill_usage", HEAD "task 1 name=a\nkill 1 send\n", 2, 4, "usage: kill MODULE POINT NTH"},
    {"kill_before_task", HEAD "kill 1 send 1\ntask 1 name=a\n", 2, 3,
     "no task line for this module (task lines come first): '1'"},
    {"kill_unknown_point", HEAD "task 1 name=a\nkill 1 sleep 1\n", 2, 4,
     "unknown kill point (the list is kernel/task/kill_points.def): 'sleep'"},
    {"kill_nth_zero", HEAD "task 1 name=a\nkill 1 recv 0\n", 2, 4, "NTH counts from 1: '0'"},
    {"kill_nth_too_big", HEAD "task 1 name=a\nkill 1 recv 4294967296\n", 2, 4, "number out of range: '4294967296'"},
    {"kill_twice", HEAD "task 1 name=a\nkill 1 recv 1\nkill 1 send 2\n", 2, 5, "task has two kill lines: '1'"},
};

class Manifest_error_test : public ::testing::TestWithParam<Bad_case> {};

TEST_P(Manifest_error_test, reports_line_and_message) {
    const Bad_case& c = GetParam();
    Parsed p = parse(c.text, c.modules);
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(p.error.line, c.line);
    EXPECT_STREQ(p.error.message, c.message);
}

INSTANTIATE_TEST_SUITE_P(Manifest, Manifest_error_test, ::testing::ValuesIn(bad_cases),
                         [](const ::testing::TestParamInfo<Bad_case>& info) { return std::string(info.param.name); });

} // namespace
