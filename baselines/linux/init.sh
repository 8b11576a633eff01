#!/bin/busybox sh
# /init of the Linux baseline guest (docs/baselines.md): sets up what the benchmarks need, runs
# those the kernel command line names, prints JSON lines on the serial console, powers off.
# The kernel hands its unknown command-line words NAME=VALUE to /init as its environment:
#   IPCLAB_RUN        comma list of pipe, unix-socket, sysv-mq, posix-mq, futex, syscall,
#                     sched-yield, openmpi, bulk, openmpi-bulk
#   IPCLAB_SIZES      message sizes of the Linux ping-pongs; IPCLAB_MPI_SIZES those of Open MPI
#   IPCLAB_REPS, IPCLAB_WARMUP, IPCLAB_UNIT (the rows' unit)
#   IPCLAB_BULK_SIZES sizes of the bulk transfers (Linux and Open MPI), IPCLAB_BULK_REPS and
#                     IPCLAB_BULK_WARMUP their measured and discarded transfers per size
export PATH=/bin:/usr/bin HOME=/root
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm
mount -t tmpfs shm /dev/shm
mount -t tmpfs tmp /tmp
# Open MPI's launcher resolves its own host name and opens sockets to itself even on one node.
ip link set lo up
hostname guest
# SysV messages may be at most kernel.msgmax bytes (8192 by default), for root too: raise it
# (and a queue's capacity, kernel.msgmnb) so the SysV ping-pong covers every size. POSIX
# queues are opened by root, whom fs.mqueue.msgsize_max does not limit.
echo 65536 > /proc/sys/kernel/msgmax
echo 65536 > /proc/sys/kernel/msgmnb

field() { tr -d '"\\\n' < "$1" 2>/dev/null; }
refined=$(dmesg | grep -o 'Refined TSC clocksource calibration: [0-9.]* MHz' | grep -o '[0-9.]* MHz')
detected=$(dmesg | grep -o 'tsc: Detected [0-9.]* MHz' | grep -o '[0-9.]* MHz')
echo "{\"type\":\"guest\",\"kernel\":\"$(uname -r)\",\"kernel_build\":\"$(uname -v | tr -d '"\\')\"," \
     "\"clocksource\":\"$(field /sys/devices/system/clocksource/clocksource0/current_clocksource)\"," \
     "\"tsc_detected\":\"$detected\",\"tsc_refined\":\"$refined\"," \
     "\"cpus\":$(grep -c ^processor /proc/cpuinfo),\"cpu_flags\":\"$(grep -m1 ^flags /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\"," \
     "\"spectre_v2\":\"$(field /sys/devices/system/cpu/vulnerabilities/spectre_v2)\"," \
     "\"meltdown\":\"$(field /sys/devices/system/cpu/vulnerabilities/meltdown)\"," \
     "\"msgmax\":$(cat /proc/sys/kernel/msgmax),\"mq_msgsize_max\":$(cat /proc/sys/fs/mqueue/msgsize_max)," \
     "\"cmdline\":\"$(field /proc/cmdline)\"}"

# step NAME COMMAND...: runs it and reports how it ended.
step() {
    name=$1
    shift
    "$@"
    echo "{\"type\":\"step\",\"name\":\"$name\",\"status\":$?}"
}

# ompi PROGRAM ARGS...: both ranks on the one vCPU (QEMU 7.2 hangs bringing up a second one
# under -icount), yielding the CPU while they wait; no ssh, so the "isolated" launcher (this
# node only).
ompi() {
    mpirun --allow-run-as-root -np 2 --oversubscribe --bind-to none --mca plm isolated \
        --mca mpi_yield_when_idle 1 --mca btl self,vader "$@"
}

reps=${IPCLAB_REPS:-1000}
warmup=${IPCLAB_WARMUP:-100}
# The bulk programs' options, left unquoted below to split into words (digits and commas only).
bulk="--sizes ${IPCLAB_BULK_SIZES:-4096} --reps ${IPCLAB_BULK_REPS:-20} --warmup ${IPCLAB_BULK_WARMUP:-2}"
for what in $(echo "${IPCLAB_RUN:-}" | tr , ' '); do
    case $what in
    syscall) step syscall /bench/lx_syscall --what getppid --reps "$reps" --warmup "$warmup" ;;
    sched-yield) step sched-yield /bench/lx_syscall --what sched-yield --reps "$reps" --warmup "$warmup" ;;
    openmpi) step openmpi ompi /bench/pingpong_mpi --sizes "${IPCLAB_MPI_SIZES:-0,8}" --reps "$reps" \
        --warmup "$warmup" ;;
    bulk) step bulk /bench/lx_bulk $bulk ;;
    openmpi-bulk) step openmpi-bulk ompi /bench/bulk_mpi --transports local,local-memcpy,mpi-send $bulk ;;
    *) step "$what" /bench/lx_pingpong --transport "$what" --sizes "${IPCLAB_SIZES:-0,8}" --reps "$reps" \
        --warmup "$warmup" ;;
    esac
done
echo '{"type":"end"}'
poweroff -f
