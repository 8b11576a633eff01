// The channels of transports.hpp: pipes, a UNIX stream socket pair, one SysV queue with a
// message type per direction, two POSIX queues of one message each, and a futex hand-off
// through a shared page (copy in, set the turn word, FUTEX_WAKE; FUTEX_WAIT for one's turn,
// copy out). Queues are private or unlinked at once: nothing outlives the benchmark.
#include "transports.hpp"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <new>
#include <vector>

namespace host_bench {

namespace {

std::string error_text(const char* what) {
    return std::string(what) + ": " + strerror(errno);
}

/// Writes or reads all `n` bytes on a stream, however the kernel splits them.
template <typename Op, typename Ptr> bool whole(Op op, int fd, Ptr buf, size_t n) {
    for (size_t done = 0; done < n;) {
        ssize_t k = op(fd, buf + done, n - done);
        if (k <= 0 && !(k < 0 && errno == EINTR)) return false;
        if (k > 0) done += size_t(k);
    }
    return true;
}

/// pipe and unix-socket: side s writes fd[s][1] and reads fd[s][0].
class Stream final : public Channel {
public:
    int fd[2][2] = {{-1, -1}, {-1, -1}};
    ~Stream() override {
        for (auto& side : fd)
            for (int f : side)
                if (f >= 0) close(f);
    }
    bool send(int side, const void* buf, size_t n) override {
        return whole(::write, fd[side][1], static_cast<const char*>(buf), n);
    }
    bool recv(int side, void* buf, size_t n) override {
        return whole(::read, fd[side][0], static_cast<char*>(buf), n);
    }
};

/// sysv-mq: one queue; a message of type 1 + s goes to side s.
class Sysv_queue final : public Channel {
public:
    int id = -1;
    std::vector<char> buffer; ///< struct msgbuf: the type, then the text
    ~Sysv_queue() override {
        if (id >= 0) msgctl(id, IPC_RMID, nullptr);
    }
    bool send(int side, const void* buf, size_t n) override {
        long type = 2 - side;
        memcpy(buffer.data(), &type, sizeof type);
        memcpy(buffer.data() + sizeof type, buf, n);
        return msgsnd(id, buffer.data(), n, 0) == 0;
    }
    bool recv(int side, void* buf, size_t n) override {
        ssize_t k = msgrcv(id, buffer.data(), n, 1 + side, 0);
        if (k != ssize_t(n)) return false;
        memcpy(buf, buffer.data() + sizeof(long), n);
        return true;
    }
};

/// posix-mq: queue s holds the message for side s.
class Posix_queue final : public Channel {
public:
    mqd_t q[2] = {mqd_t(-1), mqd_t(-1)};
    ~Posix_queue() override {
        for (mqd_t d : q)
            if (d != mqd_t(-1)) mq_close(d);
    }
    bool send(int side, const void* buf, size_t n) override {
        return mq_send(q[!side], static_cast<const char*>(buf), n, 0) == 0;
    }
    bool recv(int side, void* buf, size_t n) override {
        char empty; // mq_receive wants room for a whole message, even one of 0 bytes
        return mq_receive(q[side], n ? static_cast<char*>(buf) : &empty, n ? n : 1, nullptr) ==
               ssize_t(n);
    }
};

/// futex: `turn` is 1 + the side whose message is in `data`, 0 before the first.
class Futex_handoff final : public Channel {
public:
    struct Shared {
        std::atomic<uint32_t> turn;
        uint32_t bytes;
        unsigned char data[];
    };
    Shared* shared = nullptr;
    size_t mapped = 0;
    ~Futex_handoff() override {
        if (shared) munmap(shared, mapped);
    }
    long futex(int op, uint32_t value) {
        return syscall(SYS_futex, reinterpret_cast<uint32_t*>(&shared->turn), op, value, nullptr,
                       nullptr, 0);
    }
    bool send(int side, const void* buf, size_t n) override {
        memcpy(shared->data, buf, n);
        shared->bytes = uint32_t(n);
        shared->turn.store(2 - side, std::memory_order_release);
        return futex(FUTEX_WAKE, 1) >= 0; // shared, not private: two address spaces
    }
    bool recv(int side, void* buf, size_t n) override {
        const uint32_t mine = 1 + side;
        for (uint32_t now; (now = shared->turn.load(std::memory_order_acquire)) != mine;)
            if (futex(FUTEX_WAIT, now) < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (shared->bytes != n) return false;
        memcpy(buf, shared->data, n);
        return true;
    }
};

long read_limit(const char* path) {
    FILE* f = fopen(path, "r");
    long v = -1;
    if (f && fscanf(f, "%ld", &v) != 1) v = -1;
    if (f) fclose(f);
    return v;
}

} // namespace

const char* name(Transport t) {
    static const char* const names[] = {"pipe", "unix-socket", "sysv-mq", "posix-mq", "futex"};
    return names[int(t)];
}

std::unique_ptr<Channel> open_channel(Transport t, size_t bytes, std::string& why) {
    switch (t) {
    case Transport::pipe:
    case Transport::unix_socket: {
        if (bytes == 0)
            return why = "no 0-byte message on a stream: a zero-length write wakes nobody", nullptr;
        auto c = std::make_unique<Stream>();
        int a[2], b[2];
        bool ok = t == Transport::pipe ? pipe(a) == 0 && pipe(b) == 0
                                       : socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0 &&
                                             (b[0] = dup(a[1])) >= 0 && (b[1] = dup(a[0])) >= 0;
        if (!ok) return why = error_text("pipe/socketpair"), nullptr;
        // pipe: side 0 writes b[1] and reads a[0]; side 1 writes a[1], reads b[0]. A socket
        // pair: side 0 uses end a[0] (and its dup b[1]), side 1 end a[1] (and its dup b[0]).
        c->fd[0][1] = b[1], c->fd[0][0] = a[0], c->fd[1][1] = a[1], c->fd[1][0] = b[0];
        return c;
    }
    case Transport::sysv_mq: {
        long limit = read_limit("/proc/sys/kernel/msgmax");
        if (limit >= 0 && bytes > size_t(limit))
            return why = "larger than kernel.msgmax (" + std::to_string(limit) + " bytes)", nullptr;
        auto c = std::make_unique<Sysv_queue>();
        c->buffer.resize(sizeof(long) + bytes);
        if ((c->id = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) < 0)
            return why = error_text("msgget"), nullptr;
        return c;
    }
    case Transport::posix_mq: {
        auto c = std::make_unique<Posix_queue>();
        mq_attr attr{};
        attr.mq_maxmsg = 1;
        attr.mq_msgsize = long(bytes ? bytes : 1);
        for (int s = 0; s < 2; ++s) {
            std::string path =
                "/ipclab-host-bench-" + std::to_string(getpid()) + "-" + std::to_string(s);
            c->q[s] = mq_open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
            if (c->q[s] == mqd_t(-1))
                return why = error_text("mq_open") + " (fs.mqueue.msgsize_max is " +
                             std::to_string(read_limit("/proc/sys/fs/mqueue/msgsize_max")) +
                             " bytes)",
                       nullptr;
            mq_unlink(path.c_str()); // the descriptors, inherited by fork(), keep it
        }
        return c;
    }
    case Transport::futex: {
        auto c = std::make_unique<Futex_handoff>();
        c->mapped = sizeof(Futex_handoff::Shared) + bytes;
        void* p =
            mmap(nullptr, c->mapped, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return why = error_text("mmap"), nullptr;
        c->shared = new (p) Futex_handoff::Shared(); // turn 0: nobody's message yet
        return c;
    }
    }
    return why = "unknown transport", nullptr;
}

} // namespace host_bench
