/* Multiboot entry: from 32-bit protected mode (as QEMU's -kernel leaves us) into long mode
 * and the higher-half kernel. Builds the boot page tables: the first 4 GiB of physical memory
 * mapped with 2 MiB pages at 0 (identity, dropped once in C++), at the direct map
 * (0xffff800000000000) and the first 1 GiB at the kernel image (0xffffffff80000000). */

#include "arch/layout.h"

.set MB_MAGIC, 0x1BADB002
/* bit 0: modules page-aligned, bit 1: memory map, bit 16: load addresses in the header,
 * so QEMU loads this flat binary (QEMU's multiboot loader refuses 64-bit ELF files). */
.set MB_FLAGS, (1 << 0) | (1 << 1) | (1 << 16)

.section .multiboot, "a"
.align 4
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long multiboot_header          /* header_addr */
    .long _phys_start               /* load_addr */
    .long _phys_load_end            /* load_end_addr */
    .long _phys_bss_end             /* bss_end_addr */
    .long _start32                  /* entry_addr */

.section .boot.text, "ax"
.code32
.global _start32
_start32:
    cli
    mov %eax, %edi                  /* multiboot magic, first argument of kernel_main */
    mov %ebx, %esi                  /* physical address of the multiboot info */
    mov $(boot_stack_top - KERNEL_VMA), %esp

    /* PML4[0] and PML4[256] -> pdpt_low (0 .. 4 GiB); PML4[511] -> pdpt_high. */
    mov $(pdpt_low - KERNEL_VMA + 3), %eax
    mov %eax, (pml4 - KERNEL_VMA)
    mov %eax, (pml4 - KERNEL_VMA + 256 * 8)
    mov $(pdpt_high - KERNEL_VMA + 3), %eax
    mov %eax, (pml4 - KERNEL_VMA + 511 * 8)
    /* pdpt_low[0..3] -> pd[0..3]; pdpt_high[510] -> pd[0] (the kernel's first GiB). */
    mov $(pd - KERNEL_VMA + 3), %eax
    mov $(pdpt_low - KERNEL_VMA), %ebx
    mov $4, %ecx
1:  mov %eax, (%ebx)
    add $4096, %eax
    add $8, %ebx
    loop 1b
    mov $(pd - KERNEL_VMA + 3), %eax
    mov %eax, (pdpt_high - KERNEL_VMA + 510 * 8)
    /* pd: 2048 entries of 2 MiB, present | writable | large page. */
    mov $(pd - KERNEL_VMA), %ebx
    mov $0x83, %eax
    xor %edx, %edx
    mov $2048, %ecx
2:  mov %eax, (%ebx)
    mov %edx, 4(%ebx)
    add $0x200000, %eax
    adc $0, %edx
    add $8, %ebx
    loop 2b

    /* CR4: PAE, PGE, OSFXSR, OSXMMEXCPT. */
    mov %cr4, %eax
    or $((1 << 5) | (1 << 7) | (1 << 9) | (1 << 10)), %eax
    mov %eax, %cr4
    mov $(pml4 - KERNEL_VMA), %eax
    mov %eax, %cr3
    /* EFER: SCE (syscall), LME (long mode), NXE (no-execute). */
    mov $0xC0000080, %ecx
    rdmsr
    or $((1 << 0) | (1 << 8) | (1 << 11)), %eax
    wrmsr
    /* CR0: PG, WP, NE, MP, PE; clear EM and TS so SSE works in user mode. */
    mov %cr0, %eax
    and $~((1 << 2) | (1 << 3)), %eax
    or $((1 << 31) | (1 << 16) | (1 << 5) | (1 << 1) | (1 << 0)), %eax
    mov %eax, %cr0

    lgdt (boot_gdt_pointer)
    ljmp $0x08, $start64_low

.code64
start64_low:
    movabs $start64_high, %rax
    jmp *%rax

.section .boot.data, "aw"
.align 16
boot_gdt:
    .quad 0
    .quad 0x00209A0000000000        /* 64-bit kernel code */
    .quad 0x0000920000000000        /* kernel data */
boot_gdt_pointer:
    .word boot_gdt_pointer - boot_gdt - 1
    .long boot_gdt

.text
start64_high:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp
    call kernel_main                 /* (uint32_t magic, uint32_t multiboot_info_phys) */
3:  cli
    hlt
    jmp 3b

.section .bss
.align 4096
.global boot_pml4
boot_pml4:
pml4:       .skip 4096
pdpt_low:   .skip 4096
pdpt_high:  .skip 4096
pd:         .skip 4 * 4096
.align 16
boot_stack: .skip 16384
.global boot_stack_top
boot_stack_top:

.section .note.GNU-stack, "", @progbits
