/* The emulated ARC EM (QEMU -M virt -cpu arcem) for the shared ARC EM firmware (boards/common/arc-em). */
#ifndef BOARD_CONFIG_H
#define BOARD_CONFIG_H

/* UART0, an ns16550A (shared/sim/qemu-arc/README.md). QEMU ignores the divisor, so it is left alone. */
#define ARC_UART_BASE 0xF0000000u
#define ARC_UART_CLOCK_HZ 0u
#define ARC_UART_BAUD 115200u
/* Measured: QEMU restarts a timer when COUNT reaches LIMIT. */
#define ARC_TIMER_WRAPS_AT_LIMIT 1
/* -semihosting: an exit ends QEMU with the code. */
#define ARC_EXIT_SEMIHOSTING 1

#endif
