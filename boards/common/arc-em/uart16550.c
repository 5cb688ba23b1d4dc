/* The console UART of the ARC EM boards: a 16550 with registers 4 bytes apart, polled. QEMU's
 * ns16550A and the EMSDP's DesignWare APB UART both have this layout; only the 16550 registers
 * are used (RBR/THR/DLL, IER/DLH, IIR/FCR, LCR, MCR, LSR), none of DesignWare's extra ones (USR
 * at 0x7C and above). A DesignWare UART built without 16550 compatibility ignores LCR and divisor
 * writes while it is busy (sending, or holding received bytes); USR would say so, but reading LCR
 * back says the same with a 16550 register, so init drains, writes and checks. */
#include <stdint.h>

#include "arc_em.h"
#include "fw_board.h"

#define UART_REG(n) (*(volatile uint32_t *)(ARC_UART_BASE + 4u * (n)))
#define UART_RBR UART_REG(0) /* read, DLAB 0 */
#define UART_THR UART_REG(0) /* write, DLAB 0 */
#define UART_DLL UART_REG(0) /* DLAB 1 */
#define UART_IER UART_REG(1) /* DLAB 0 */
#define UART_DLH UART_REG(1) /* DLAB 1 */
#define UART_IIR UART_REG(2) /* read */
#define UART_FCR UART_REG(2) /* write */
#define UART_LCR UART_REG(3)
#define UART_MCR UART_REG(4)
#define UART_LSR UART_REG(5)
#define LCR_8N1 0x03u
#define LCR_DLAB 0x80u
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u
#define LSR_TX_IDLE 0x40u
#define IIR_FIFOS_ON 0xC0u

/* Nearest whole divisor of clock / (16 * baud): 100 MHz at 115200 gives 54, 115741 baud (+0.5%). */
#define UART_DIVISOR ((ARC_UART_CLOCK_HZ + 8u * ARC_UART_BAUD) / (16u * ARC_UART_BAUD))

void arc_uart_drain(void) {
  while (!(UART_LSR & LSR_TX_IDLE)) {
  }
}

/* Writes LCR until it reads back (a busy DesignWare UART drops the write; see above). */
static void set_lcr(uint32_t v) {
  int tries;
  for (tries = 0; tries < 1000 && (UART_LCR & 0xFFu) != v; ++tries) {
    while (UART_LSR & LSR_DATA_READY) (void)UART_RBR; /* nothing is expected yet: the host waits for BOOT */
    UART_LCR = v;
  }
}

void fw_board_init(void) {
  arc_uart_drain();
  UART_IER = 0; /* polled */
#if ARC_UART_CLOCK_HZ
  set_lcr(LCR_8N1 | LCR_DLAB);
  UART_DLL = UART_DIVISOR & 0xFFu;
  UART_DLH = (UART_DIVISOR >> 8) & 0xFFu;
#endif
  set_lcr(LCR_8N1);
  /* FIFOs on, once: enabling them drops (and in QEMU can stall) what is queued, so after a
   * firmware reset, when they are on already (IIR bits 7:6), leave them be. */
  if ((UART_IIR & IIR_FIFOS_ON) != IIR_FIFOS_ON) UART_FCR = 0x07;
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

void fw_flush(void) {}

void arc_uart_puts(const char *s) {
  while (*s) fw_putc((uint8_t)*s++);
}
