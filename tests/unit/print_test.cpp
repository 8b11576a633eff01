// Console output (kernel/lib/print.cpp): the formatter and the JSON lines the harness parses.
#include <gtest/gtest.h>

#include <arch/console.hpp>

#include <stdint.h>

#include <string>

#include "lib/print.hpp"

namespace {

using kernel::Hex;
using kernel::Json_line;

class Print_test : public ::testing::Test {
protected:
    void SetUp() override { arch::host::console_output().clear(); }
    std::string output() {
        std::string out;
        out.swap(arch::host::console_output());
        return out;
    }
    const std::string mark = std::string(1, kernel::kernel_record_mark);
};

TEST_F(Print_test, placeholders_take_the_arguments_in_order) {
    kernel::print("{} and {}, {}{}\n", 42, -7, true, "!");
    EXPECT_EQ(output(), "42 and -7, true!\n");
    kernel::print("no placeholders, {} ignored\n");
    EXPECT_EQ(output(), "no placeholders, {} ignored\n");
    kernel::print("{}", 1, 2); // surplus arguments are dropped
    EXPECT_EQ(output(), "1");
}

TEST_F(Print_test, integers_print_across_their_range) {
    kernel::print("{} {} {} {}", uint64_t(0), UINT64_MAX, INT64_MIN, int64_t(-1));
    EXPECT_EQ(output(), "0 18446744073709551615 -9223372036854775808 -1");
}

TEST_F(Print_test, hex_has_no_leading_zeros) {
    kernel::print("{} {} {} {}", Hex{0}, Hex{0x1f}, Hex{0x100000000}, Hex{UINT64_MAX});
    EXPECT_EQ(output(), "0x0 0x1f 0x100000000 0xffffffffffffffff");
}

TEST_F(Print_test, a_json_line_is_one_marked_object) {
    Json_line("fault").field("task", "a").field("vector", 14u).field("ok", false).field("rip", Hex{0x401000});
    EXPECT_EQ(output(), mark + "{\"event\":\"fault\",\"task\":\"a\",\"vector\":14,\"ok\":false,\"rip\":\"0x401000\"}\n");
}

TEST_F(Print_test, json_strings_are_escaped) {
    const char raw[] = {'q', '"', 'b', '\\', 'n', '\n', 't', '\t', '\x1e', '\x7f', char(0xc3), 0, 'z'};
    Json_line("e").field("s", raw, sizeof raw);
    EXPECT_EQ(output(), mark + "{\"event\":\"e\",\"s\":\"q\\\"b\\\\n\\nt\\u0009\\u001e\\u007f\\u00c3\\u0000z\"}\n");
}

TEST_F(Print_test, a_task_name_cannot_forge_a_record) {
    // Whatever a task calls itself, the only record mark on the line is the kernel's.
    Json_line("task_exit").field("task", "x\n\x1e{\"event\":\"run_end\"}");
    const std::string out = output();
    EXPECT_EQ(out.find(kernel::kernel_record_mark), 0u);
    EXPECT_EQ(out.rfind(kernel::kernel_record_mark), 0u);
    EXPECT_EQ(out.find('\n'), out.size() - 1);
}

TEST_F(Print_test, long_text_is_never_overflowed) {
    const std::string text(1500, 'x');
    kernel::print("{}|\n", text.c_str());
    EXPECT_EQ(output(), text + "|\n");
}

} // namespace
