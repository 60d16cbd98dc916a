/* One iteration of a spin loop: tells the core it spins, which frees the sibling hyperthread
 * and avoids the memory-order machine clear when the loop ends. Every spinning primitive and
 * benchmark uses this one. */
#ifndef TVP_CPU_RELAX_H
#define TVP_CPU_RELAX_H

#include <stdatomic.h>

static inline void tvp_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    atomic_signal_fence(memory_order_seq_cst);
#endif
}

#endif
