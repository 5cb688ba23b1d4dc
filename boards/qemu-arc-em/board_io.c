/* The emulated ARC EM's side of the firmware interface (fw_board.h): the ns16550A UART0 at
 * 0xF0000000 (registers 4 bytes apart), COUNT0 as the instruction counter (exact under
 * -icount shift=0), semihosting exit. */
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

void fw_counter_start(void) {
  /* LIMIT0 first: its reset value 0x00FFFFFF would wrap COUNT0 after 16M instructions. */
  __builtin_arc_sr(0xFFFFFFFFu, AUX_LIMIT0);
  __builtin_arc_sr(0u, AUX_CONTROL0);
  __builtin_arc_sr(0u, AUX_COUNT0);
}

uint32_t fw_counter_read(void) { return __builtin_arc_lr(AUX_COUNT0); }

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
