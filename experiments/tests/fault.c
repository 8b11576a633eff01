/* Faults on purpose, to show that only the faulting task dies.
 * usage: fault page-fault | kernel-read | general-protection | divide | invalid-opcode */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
    if (argc != 2) return fprintf(stderr, "usage: fault KIND\n"), 2;
    printf("{\"type\":\"fault_test\",\"kind\":\"%s\"}\n", argv[1]);
    fflush(stdout);
    /* Addresses through a volatile pointer, so the compiler cannot prove the access wrong. */
    volatile uintptr_t unmapped = 16, supervisor = 0xffffffff80100000u;
    if (!strcmp(argv[1], "page-fault")) *(volatile int*)unmapped = 1;
    if (!strcmp(argv[1], "kernel-read")) (void)*(volatile int*)supervisor;
    if (!strcmp(argv[1], "general-protection")) __asm__ volatile("hlt");          /* privileged */
    if (!strcmp(argv[1], "divide")) { /* a real div: the compiler rewrites 1 / x without one */
        unsigned zero = 0, one = 1;
        __asm__ volatile("xor %%edx, %%edx; divl %1" : "+a"(one) : "r"(zero) : "edx");
    }
    if (!strcmp(argv[1], "invalid-opcode")) __asm__ volatile("ud2");
    fprintf(stderr, "fault: unknown kind or no fault happened: %s\n", argv[1]);
    return 1;
}
