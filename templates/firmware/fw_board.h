/* The firmware's view of a board: a byte-wide serial link, an optional instruction counter, exit
 * and reset. Each board implements it in its own folder (boards/<name>/). Do not edit. */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include <stdint.h>

void fw_board_init(void);
/* Blocks until a byte arrives. */
int fw_getc(void);
/* 1 when a byte is waiting (fw_getc will not block). */
int fw_rx_ready(void);
void fw_putc(uint8_t c);
/* Pushes out what fw_putc buffered (a no-op on a UART). */
void fw_flush(void);
/* 1 when fw_counter_read counts instructions (or cycles) since fw_counter_start. */
int fw_has_counter(void);
void fw_counter_start(void);
/* 64 bits: mobilenet_v2 on MLI's reference C runs past 2^32 instructions. */
uint64_t fw_counter_read(void);
void fw_exit(int code);
/* Starts the firmware again from its entry point: a board reset as far as the link can tell. */
void fw_board_reset(void);
/* The protocol loop; never returns. */
void fw_main(void);

#endif
