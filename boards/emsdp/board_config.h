/* The EMSDP (EM9D) for the shared ARC EM firmware (boards/common/arc-em). Sources of each value are
 * in board.json's notes. */
#ifndef BOARD_CONFIG_H
#define BOARD_CONFIG_H

/* The debug UART, a DesignWare APB UART (16550 registers, 4 bytes apart) wired to the FT2232H's
 * interface B: the USB data port's console. Its APB clock is 100 MHz. */
#define ARC_UART_BASE 0xF0004000u
#define ARC_UART_CLOCK_HZ 100000000u
#define ARC_UART_BAUD 115200u
/* The ARCv2 timers count 0..LIMIT, so the modulus is LIMIT + 1; they count core cycles. */
#define ARC_TIMER_WRAPS_AT_LIMIT 0
/* No semihosting on the board: an exit prints a line and halts (flag 1) for a debugger to see. */
#define ARC_EXIT_SEMIHOSTING 0

#endif
