// Initial user stack: strings at the top, then (16-byte aligned) argc, argv, envp, auxv.
#include "boot/user_stack.hpp"

#include <string.h>

#include "abi/boot.hpp"

namespace kernel {

namespace {

constexpr unsigned max_args = 256;
constexpr uint64_t max_startup_bytes = 16384;

// Auxiliary-vector types (System V ABI, Linux's elf.h).
enum : uint64_t {
    at_null = 0, at_phdr = 3, at_phent = 4, at_phnum = 5, at_pagesz = 6, at_entry = 9, at_uid = 11,
    at_euid = 12, at_gid = 13, at_egid = 14, at_hwcap = 16, at_clktck = 17, at_secure = 23,
    at_random = 25, at_execfn = 31,
};

/// Scratch image of the start-up area; static because it is larger than a kernel stack
/// should carry. Boot runs on one CPU before any task.
alignas(16) char scratch[max_startup_bytes];

/// Splits `cmdline` into words (quotes group), writing them NUL-terminated to `out`.
/// Returns the number of words, or -1 when they do not fit.
int split_words(const char* cmdline, char* out, size_t room, size_t& used) {
    int words = 0;
    used = 0;
    const char* p = cmdline;
    while (*p) {
        while (*p == ' ' || *p == '\t') ++p;
        if (!*p) break;
        bool quoted = false;
        while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (*p == '"') {
                quoted = !quoted;
                ++p;
                continue;
            }
            if (used + 1 >= room) return -1;
            out[used++] = *p++;
        }
        if (used + 1 > room) return -1;
        out[used++] = 0;
        ++words;
    }
    return words;
}

} // namespace

bool build_user_stack(Address_space& space, const Stack_request& r, uint64_t& rsp, const char*& error) {
    // Strings first, into the top of the scratch area, exactly as they will sit below
    // stack_top: 16 random bytes, the argument words, the environment.
    static char strings[max_startup_bytes];
    size_t used = 16;
    for (unsigned i = 0; i < 16; ++i) strings[i] = char((r.seed * 0x9E3779B97F4A7C15ull) >> (i * 4));
    size_t words_bytes;
    int argc = split_words(r.cmdline, strings + used, sizeof strings - used, words_bytes);
    if (argc < 0 || argc > int(max_args)) return error = "command line too long", false;
    const size_t argv_at = used;
    used += words_bytes;
    const size_t env_at = used;
    unsigned envc = 0;
    for (unsigned i = 0; i < r.manifest->env_count; ++i) {
        const Manifest::Env& e = r.manifest->env[i];
        if (e.task != r.task && e.task != Manifest::all_tasks) continue;
        if (used + e.length + 1 > sizeof strings || envc == max_args) return error = "environment too long", false;
        memcpy(strings + used, e.text, e.length);
        used += e.length;
        strings[used++] = 0;
        ++envc;
    }
    const uint64_t strings_base = (Layout::stack_top - used) & ~uint64_t(15);

    const uint64_t aux[][2] = {
        {at_phdr, r.image->phdr_address}, {at_phent, r.image->phdr_size}, {at_phnum, r.image->phdr_count},
        {at_pagesz, 4096}, {at_entry, r.image->entry}, {at_uid, 0}, {at_euid, 0}, {at_gid, 0}, {at_egid, 0},
        {at_hwcap, 0}, {at_clktck, 100}, {at_secure, 0}, {at_random, strings_base},
        {at_execfn, argc ? strings_base + argv_at : 0}, {ipclab::aux_utcb, r.utcb}, {at_null, 0},
    };
    const uint64_t words = 1 + (uint64_t(argc) + 1) + (envc + 1) + 2 * (sizeof aux / sizeof aux[0]);
    rsp = (strings_base - words * 8) & ~uint64_t(15);
    if (Layout::stack_top - rsp > max_startup_bytes) return error = "arguments and environment exceed 16 KiB", false;

    auto* w = reinterpret_cast<uint64_t*>(scratch);
    size_t k = 0;
    w[k++] = uint64_t(argc);
    for (size_t off = argv_at, i = 0; i < size_t(argc); ++i) {
        w[k++] = strings_base + off;
        off += strlen(strings + off) + 1;
    }
    w[k++] = 0;
    for (size_t off = env_at, i = 0; i < envc; ++i) {
        w[k++] = strings_base + off;
        off += strlen(strings + off) + 1;
    }
    w[k++] = 0;
    for (const auto& pair : aux) {
        w[k++] = pair[0];
        w[k++] = pair[1];
    }
    if (space.poke(rsp, scratch, k * 8) != ipclab::Status::ok ||
        space.poke(strings_base, strings, used) != ipclab::Status::ok)
        return error = "stack not mapped", false;
    return true;
}

} // namespace kernel
