/* The message-queue transports: one SysV queue with a message type per direction, and a pair
 * of POSIX queues. Both keep message boundaries, so a 0-byte message exists. Their size limits
 * are the kernel's (docs/baselines.md): SysV msgsnd refuses more than kernel.msgmax bytes
 * (8192 by default) from anyone; POSIX mq_open refuses more than fs.mqueue.msgsize_max (8192)
 * unless the caller has CAP_SYS_RESOURCE, which the guest's root has (limit 16 MiB). */
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>
#include <sys/msg.h>

#include "lx_bench.h"

struct lx_message {
    long mtype;
    char mtext[];
};

struct lx_channel {
    int queue;              /* SysV */
    struct lx_message* msg; /* SysV: this process's message buffer */
    mqd_t mq[2];            /* POSIX: mq[side] is where `side` receives */
    size_t largest;
};

/* SysV: type 1 travels to the server, type 2 to the client. */
static long sysv_type_to(int side) {
    return side == LX_SERVER ? 1 : 2;
}

static size_t sysv_max(void) {
    return lx_proc_number("/proc/sys/kernel/msgmax");
}

static int sysv_open(lx_channel** out, size_t largest) {
    lx_channel* c = calloc(1, sizeof *c);
    if (!c || !(c->msg = malloc(sizeof(long) + largest))) return free(c), -1;
    c->queue = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (c->queue < 0) return free(c->msg), free(c), -1;
    struct msqid_ds ds;
    /* The queue must hold one whole message: kernel.msgmnb (16384 by default) may be less. */
    if (msgctl(c->queue, IPC_STAT, &ds) == 0 && ds.msg_qbytes < largest) {
        ds.msg_qbytes = largest;
        msgctl(c->queue, IPC_SET, &ds); /* root only; if it fails, msgsnd fails and says so */
    }
    c->largest = largest;
    *out = c;
    return 0;
}

static void no_attach(lx_channel* c, int side) {
    (void)c, (void)side;
}

static int sysv_send(lx_channel* c, int side, const void* buf, size_t n) {
    c->msg->mtype = sysv_type_to(!side);
    memcpy(c->msg->mtext, buf, n);
    return msgsnd(c->queue, c->msg, n, 0);
}

static int sysv_recv(lx_channel* c, int side, void* buf, size_t n) {
    ssize_t got = msgrcv(c->queue, c->msg, c->largest, sysv_type_to(side), 0);
    if (got < 0) return -1;
    if ((size_t)got != n) return errno = EMSGSIZE, -1;
    memcpy(buf, c->msg->mtext, n);
    return 0;
}

static void sysv_close(lx_channel* c, int side) {
    if (side == LX_CLIENT) msgctl(c->queue, IPC_RMID, NULL);
    free(c->msg);
    free(c);
}

/* With CAP_SYS_RESOURCE (bit 24 of the effective set) the hard limit HARD_MSGSIZEMAX. */
static size_t posix_max(void) {
    FILE* f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long caps = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %llx", &caps) == 1) break;
    if (f) fclose(f);
    return caps >> 24 & 1 ? 16 << 20 : lx_proc_number("/proc/sys/fs/mqueue/msgsize_max");
}

static int posix_open(lx_channel** out, size_t largest) {
    static const char* names[2] = {"/ipclab-lx-to-client", "/ipclab-lx-to-server"};
    lx_channel* c = calloc(1, sizeof *c);
    if (!c) return -1;
    /* One message in flight at a time: a queue of one message is enough. */
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = (long)largest};
    for (int side = 0; side < 2; ++side) {
        mq_unlink(names[side]);
        c->mq[side] = mq_open(names[side], O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
        if (c->mq[side] == (mqd_t)-1) return free(c), -1;
        mq_unlink(names[side]); /* the queue lives on while both processes hold it open */
    }
    c->largest = largest;
    *out = c;
    return 0;
}

static int posix_send(lx_channel* c, int side, const void* buf, size_t n) {
    return mq_send(c->mq[!side], buf, n, 0);
}

static int posix_recv(lx_channel* c, int side, void* buf, size_t n) {
    ssize_t got = mq_receive(c->mq[side], buf, c->largest, NULL);
    if (got < 0) return -1;
    return (size_t)got == n ? 0 : (errno = EMSGSIZE, -1);
}

static void posix_close(lx_channel* c, int side) {
    (void)side;
    mq_close(c->mq[0]);
    mq_close(c->mq[1]);
    free(c);
}

const lx_transport lx_sysv_mq = {"sysv-mq", 0,         sysv_max,  sysv_open,
                                 no_attach, sysv_send, sysv_recv, sysv_close};
const lx_transport lx_posix_mq = {"posix-mq", 0,          posix_max,  posix_open,
                                  no_attach,  posix_send, posix_recv, posix_close};
