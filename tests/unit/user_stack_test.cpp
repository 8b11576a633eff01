// The initial user stack (kernel/boot/user_stack.cpp): argc, argv, envp and the auxiliary
// vector as the System V ABI lays them out, read back from the task's memory.
#include <gtest/gtest.h>

#include <elf.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "abi/boot.hpp"
#include "boot/user_stack.hpp"
#include "mem/user_memory.hpp"
#include "support/printers.hpp"

namespace {

using kernel::Layout;
using kernel::Status;

constexpr uint64_t utcb = Layout::utcb_base;

class User_stack_test : public ::testing::Test {
protected:
    kernel::Account account;
    kernel::Address_space space{account};
    std::unique_ptr<kernel::Manifest> manifest = std::make_unique<kernel::Manifest>();
    kernel::Elf_image image{0x401000, 0x400040, 3, 56, 0x406000};
    uint64_t rsp = 0;
    const char* error = nullptr;

    void SetUp() override {
        ASSERT_EQ(space.create(), Status::ok);
        ASSERT_EQ(space.map_zeroed(Layout::stack_top - 0x10000, 0x10000, {true, false}), Status::ok);
        add_env(0, "A=1");
        add_env(1, "OTHER=task");
        add_env(0, "B=two words");
    }
    void TearDown() override { space.destroy(); }

    void add_env(uint32_t task, const char* text) {
        manifest->env[manifest->env_count++] = kernel::Manifest::Env{task, text, uint32_t(strlen(text))};
    }
    bool build(const char* cmdline, uint64_t seed = 1) {
        const kernel::Stack_request r{cmdline, manifest.get(), 0, &image, utcb, seed};
        return kernel::build_user_stack(space, r, rsp, error);
    }
    uint64_t word(uint64_t va) {
        uint64_t w = 0;
        EXPECT_EQ(kernel::copy_from_user(space, va, &w, 8), Status::ok);
        return w;
    }
    std::string string_at(uint64_t va) {
        std::string s;
        for (char c; kernel::copy_from_user(space, va++, &c, 1) == Status::ok && c;) s += c;
        return s;
    }
    /// argv, envp and auxv as the C library's start-up code reads them from rsp.
    struct Startup {
        std::vector<std::string> argv, envp;
        std::map<uint64_t, uint64_t> aux;
        uint64_t aux_entries = 0;
    };
    Startup read_startup() {
        Startup s;
        uint64_t at = rsp;
        const uint64_t argc = word(at);
        at += 8;
        for (uint64_t i = 0; i < argc; ++i, at += 8) s.argv.push_back(string_at(word(at)));
        EXPECT_EQ(word(at), 0u) << "argv ends with NULL";
        for (at += 8; word(at); at += 8) s.envp.push_back(string_at(word(at)));
        for (at += 8;; at += 16) {
            ++s.aux_entries;
            if (word(at) == AT_NULL) break;
            s.aux[word(at)] = word(at + 8);
        }
        return s;
    }
};

TEST_F(User_stack_test, arguments_environment_and_auxv_are_laid_out) {
    ASSERT_TRUE(build("prog  \"hello world\"\tx")) << error;
    EXPECT_EQ(rsp % 16, 0u);
    EXPECT_LT(rsp, Layout::stack_top);
    EXPECT_GE(rsp, Layout::stack_top - 16384);
    const Startup s = read_startup();
    EXPECT_EQ(s.argv, (std::vector<std::string>{"prog", "hello world", "x"}));
    EXPECT_EQ(s.envp, (std::vector<std::string>{"A=1", "B=two words"})) << "only this task's env lines";
    EXPECT_EQ(s.aux.at(AT_ENTRY), 0x401000u);
    EXPECT_EQ(s.aux.at(AT_PHDR), 0x400040u);
    EXPECT_EQ(s.aux.at(AT_PHNUM), 3u);
    EXPECT_EQ(s.aux.at(AT_PHENT), 56u);
    EXPECT_EQ(s.aux.at(AT_PAGESZ), 4096u);
    EXPECT_EQ(s.aux.at(ipclab::aux_utcb), utcb);
    EXPECT_EQ(string_at(s.aux.at(AT_EXECFN)), "prog");
    const uint64_t random = s.aux.at(AT_RANDOM);
    EXPECT_GT(random, rsp);
    EXPECT_LE(random + 16, Layout::stack_top);
}

TEST_F(User_stack_test, at_random_depends_only_on_the_seed) {
    auto random_bytes = [&](uint64_t seed) {
        EXPECT_TRUE(build("p", seed)) << error;
        const uint64_t at = read_startup().aux.at(AT_RANDOM);
        return std::vector<uint64_t>{word(at), word(at + 8)};
    };
    const auto first = random_bytes(7);
    EXPECT_EQ(random_bytes(7), first) << "runs repeat exactly";
    EXPECT_NE(random_bytes(8), first);
}

TEST_F(User_stack_test, an_empty_command_line_has_no_arguments) {
    ASSERT_TRUE(build("   ")) << error;
    const Startup s = read_startup();
    EXPECT_TRUE(s.argv.empty());
    EXPECT_EQ(s.aux.at(AT_EXECFN), 0u);
}

TEST_F(User_stack_test, too_many_arguments_are_refused) {
    std::string many;
    for (int i = 0; i < 257; ++i) many += "a ";
    EXPECT_FALSE(build(many.c_str()));
    EXPECT_STREQ(error, "command line too long");
    many.resize(256 * 2);
    EXPECT_TRUE(build(many.c_str())) << error;
    EXPECT_EQ(read_startup().argv.size(), 256u);
}

TEST_F(User_stack_test, a_command_line_too_long_is_refused) {
    const std::string huge(20000, 'x');
    EXPECT_FALSE(build(huge.c_str()));
    EXPECT_STREQ(error, "command line too long");
    const std::string big(16200, 'y'); // the strings fit, not with argv, envp and auxv
    EXPECT_FALSE(build(big.c_str()));
    EXPECT_STREQ(error, "arguments and environment exceed 16 KiB");
}

TEST_F(User_stack_test, an_environment_too_long_is_refused) {
    const std::string value = "V=" + std::string(17000, 'v');
    add_env(0, value.c_str());
    EXPECT_FALSE(build("p"));
    EXPECT_STREQ(error, "environment too long");
}

TEST_F(User_stack_test, an_unmapped_stack_is_reported) {
    space.unmap(Layout::stack_top - 0x10000, 0x10000);
    EXPECT_FALSE(build("p"));
    EXPECT_STREQ(error, "stack not mapped");
}

} // namespace
