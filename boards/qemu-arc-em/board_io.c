/* The emulated ARC EM's side of the firmware interface (fw_board.h): the ns16550A UART0 at
 * 0xF0000000 (registers 4 bytes apart), timers 0 and 1 as a 64-bit instruction counter (exact
 * under -icount shift=0), semihosting exit. */
#include <stdint.h>

#include "fw_board.h"

#define UART_BASE 0xF0000000u
#define UART_REG(n) (*(volatile uint32_t *)(UART_BASE + 4u * (n)))
#define UART_RBR UART_REG(0)
#define UART_THR UART_REG(0)
#define UART_IER UART_REG(1)
#define UART_FCR UART_REG(2)
#define UART_IIR UART_REG(2)
#define UART_LCR UART_REG(3)
#define UART_MCR UART_REG(4)
#define UART_LSR UART_REG(5)
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u
#define LSR_TX_IDLE 0x40u

#define AUX_COUNT0 0x21
#define AUX_CONTROL0 0x22
#define AUX_LIMIT0 0x23
#define AUX_COUNT1 0x100
#define AUX_CONTROL1 0x101
#define AUX_LIMIT1 0x102

void fw_board_init(void) {
  UART_IER = 0;    /* polled */
  UART_LCR = 0x03; /* 8N1; QEMU ignores the divisor */
  /* FIFOs on, once: enabling them drops (and in QEMU can stall) what is queued, so after a
   * firmware reset, when they are on already (IIR bits 7:6), leave them be. */
  if ((UART_IIR & 0xC0u) != 0xC0u) UART_FCR = 0x07;
  UART_MCR = 0x03; /* DTR, RTS */
}

int fw_rx_ready(void) { return (UART_LSR & LSR_DATA_READY) != 0; }

int fw_getc(void) {
  while (!(UART_LSR & LSR_DATA_READY)) {
  }
  return (int)(UART_RBR & 0xFFu);
}

void fw_putc(uint8_t c) {
  while (!(UART_LSR & LSR_THR_EMPTY)) {
  }
  UART_THR = c;
}

static void uart_drain(void) {
  while (!(UART_LSR & LSR_TX_IDLE)) {
  }
}

void fw_flush(void) {}

int fw_has_counter(void) { return 1; }

/* COUNT0 is 32 bits and mobilenet_v2 on MLI's reference C takes about 6 G instructions. Timers 0
 * and 1 count the same instructions modulo two coprime numbers, which fixes the count modulo their
 * product (about 2^64), with no interrupt. QEMU restarts a timer from 0 when it reaches LIMIT, so
 * its modulus is LIMIT itself (measured), not LIMIT + 1. */
#define MOD0 0xFFFFFFFFu
#define MOD1 0xFFFFFFFEu

void fw_counter_start(void) {
  /* LIMITs first: the reset value 0x00FFFFFF would wrap after 16M instructions. */
  __builtin_arc_sr(MOD0, AUX_LIMIT0);
  __builtin_arc_sr(MOD1, AUX_LIMIT1);
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

void fw_exit(int code) {
  uart_drain();
  /* Semihosting SYS_EXIT (QEMU -semihosting); without it, halt (QEMU then exits 0). */
  register int r8 __asm__("r8") = 1;
  register int r0 __asm__("r0") = code;
  __asm__ volatile("swi" : : "r"(r8), "r"(r0) : "memory");
  __asm__ volatile("flag 1");
  for (;;) {
  }
}

void fw_board_reset(void) {
  extern void _start(void);
  uart_drain();
  _start();
  for (;;) {
  }
}

static void put_text(const char *s) {
  while (*s) fw_putc((uint8_t)*s++);
}

static void put_hex(uint32_t v) {
  int i;
  put_text("0x");
  for (i = 28; i >= 0; i -= 4) fw_putc((uint8_t)"0123456789abcdef"[(v >> i) & 0xFu]);
}

/* From the vector table: a plain text line (the host shows it), then exit code 70. */
void fw_exception(uint32_t ecr, uint32_t eret, uint32_t efa);
void fw_exception(uint32_t ecr, uint32_t eret, uint32_t efa) {
  put_text("\r\nmliflow firmware: CPU exception ECR=");
  put_hex(ecr);
  put_text(" at pc ");
  put_hex(eret);
  put_text(" address ");
  put_hex(efa);
  put_text("\r\n");
  fw_exit(70);
}
