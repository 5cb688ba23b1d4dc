/* The ARC EM boards' side of fw_board.h apart from the UART (uart16550.c): timers 0 and 1 as a
 * 64-bit count of the invoke, exit, reset and CPU exceptions. The count is of instructions under
 * QEMU -icount shift=0 and of cycles on a board; board_config.h says how each board differs. */
#include <stdint.h>

#include "arc_em.h"
#include "fw_board.h"

#define AUX_COUNT0 0x21
#define AUX_CONTROL0 0x22
#define AUX_LIMIT0 0x23
#define AUX_COUNT1 0x100
#define AUX_CONTROL1 0x101
#define AUX_LIMIT1 0x102

int fw_has_counter(void) { return 1; }

/* COUNT0 is 32 bits and mobilenet_v2 on MLI's reference C takes about 14 G instructions. Timers 0
 * and 1 count the same instructions (cycles) modulo two coprime numbers, which fixes the count
 * modulo their product (about 2^64), with no interrupt. A timer counts 0..LIMIT and restarts, so
 * its modulus is LIMIT + 1 (the ISA); QEMU restarts it on reaching LIMIT (measured), so there the
 * modulus is LIMIT itself. */
#define MOD0 0xFFFFFFFFu
#define MOD1 0xFFFFFFFEu
#if ARC_TIMER_WRAPS_AT_LIMIT
#define LIMIT0 MOD0
#define LIMIT1 MOD1
#else
#define LIMIT0 (MOD0 - 1u)
#define LIMIT1 (MOD1 - 1u)
#endif

void fw_counter_start(void) {
  /* LIMITs first: the reset value 0x00FFFFFF would wrap after 16M counts. CONTROL 0: no interrupt. */
  __builtin_arc_sr(LIMIT0, AUX_LIMIT0);
  __builtin_arc_sr(LIMIT1, AUX_LIMIT1);
  __builtin_arc_sr(0u, AUX_CONTROL0);
  __builtin_arc_sr(0u, AUX_CONTROL1);
  /* Back to back here and in fw_counter_read, so timer 1 lags by the same one instruction both times. */
  __builtin_arc_sr(0u, AUX_COUNT0);
  __builtin_arc_sr(0u, AUX_COUNT1);
}

uint64_t fw_counter_read(void) {
  uint32_t c0 = __builtin_arc_lr(AUX_COUNT0);
  uint32_t c1 = __builtin_arc_lr(AUX_COUNT1);
  /* n = c0 + MOD0 * k with n = c1 (mod MOD1); MOD0 = 1 (mod MOD1), so k = (c1 - c0) mod MOD1. */
  uint32_t k = c1 >= c0 ? c1 - c0 : c1 - c0 - 2u; /* c1 - c0 + MOD1, in 32 bits */
  if (k >= MOD1) k -= MOD1;
  return ((uint64_t)k << 32) - k + c0; /* c0 + MOD0 * k */
}

static void put_hex(uint32_t v) {
  int i;
  arc_uart_puts("0x");
  for (i = 28; i >= 0; i -= 4) fw_putc((uint8_t)"0123456789abcdef"[(v >> i) & 0xFu]);
}

void fw_exit(int code) {
#if ARC_EXIT_SEMIHOSTING
  arc_uart_drain();
  {
    /* Semihosting SYS_EXIT (QEMU -semihosting); without it, the halt below (QEMU then exits 0). */
    register int r8 __asm__("r8") = 1;
    register int r0 __asm__("r0") = code;
    __asm__ volatile("swi" : : "r"(r8), "r"(r0) : "memory");
  }
#else
  /* No host to tell but the UART and a debugger: say it, then halt with the code in r0. */
  if (code != 0) {
    arc_uart_puts("\r\nmliflow firmware: halted with exit code ");
    put_hex((uint32_t)code);
    arc_uart_puts("\r\n");
  }
  arc_uart_drain();
  {
    register int r0 __asm__("r0") = code;
    __asm__ volatile("" : : "r"(r0));
  }
#endif
  __asm__ volatile("flag 1");
  for (;;) {
  }
}

void fw_board_reset(void) {
  extern void _start(void);
  arc_uart_drain();
  _start();
  for (;;) {
  }
}

/* From the vector table: a plain text line (the host shows it), then exit code 70. */
void fw_exception(uint32_t ecr, uint32_t eret, uint32_t efa);
void fw_exception(uint32_t ecr, uint32_t eret, uint32_t efa) {
  arc_uart_puts("\r\nmliflow firmware: CPU exception ECR=");
  put_hex(ecr);
  arc_uart_puts(" at pc ");
  put_hex(eret);
  arc_uart_puts(" address ");
  put_hex(efa);
  arc_uart_puts("\r\n");
  fw_exit(70);
}
