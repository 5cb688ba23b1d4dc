/* The shared ARC EM firmware (boards/common/arc-em) and what it needs from a board: its
 * board_config.h (in the board's folder, listed in run.firmware.files) defines
 *   ARC_UART_BASE            the console UART's registers (16550 layout, 4 bytes apart)
 *   ARC_UART_CLOCK_HZ        its input clock; 0 leaves the divisor as it is (an emulated UART)
 *   ARC_UART_BAUD            the rate the divisor is set for
 *   ARC_TIMER_WRAPS_AT_LIMIT 1 when a timer restarts on reaching LIMIT (QEMU), 0 one count later (the ISA)
 *   ARC_EXIT_SEMIHOSTING     1 when an exit can end the simulator (QEMU -semihosting), 0 to halt */
#ifndef ARC_EM_H
#define ARC_EM_H

#include <stdint.h>

#include "board_config.h"

/* Waits until the UART has sent every byte (the transmitter is idle). */
void arc_uart_drain(void);
void arc_uart_puts(const char *s);

#endif
