/* The host board's side of the firmware interface (fw_board.h): the firmware runs as a process
 * and serves its protocol on a pseudo-terminal it opens itself, announced as QEMU announces
 * -serial pty, so the harness drives it through the same serial code as an emulated board. */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 600
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fw_board.h"

static int master = -1;
static jmp_buf reset_point;
static unsigned char out[4096];
static size_t out_n;
static struct timespec started;

void fw_board_init(void) { out_n = 0; }

void fw_flush(void) {
  size_t done = 0;
  while (done < out_n) {
    ssize_t w = write(master, out + done, out_n - done);
    if (w <= 0) exit(0); /* the harness closed the link */
    done += (size_t)w;
  }
  out_n = 0;
}

int fw_getc(void) {
  unsigned char c;
  fw_flush();
  for (;;) {
    ssize_t r = read(master, &c, 1);
    if (r == 1) return c;
    if (r < 0) exit(0); /* EIO: no one holds the terminal any more */
  }
}

int fw_rx_ready(void) {
  struct pollfd p;
  fw_flush();
  p.fd = master;
  p.events = POLLIN;
  p.revents = 0;
  /* A little wait per call: the firmware's BOOT loop polls this while the host has not spoken. */
  return poll(&p, 1, 1) == 1 && (p.revents & POLLIN);
}

void fw_putc(uint8_t c) {
  if (out_n == sizeof out) fw_flush();
  out[out_n++] = c;
}

/* No instruction counter on the host: the harness reports wall time there instead. */
int fw_has_counter(void) { return 0; }

void fw_counter_start(void) { clock_gettime(CLOCK_MONOTONIC, &started); }

uint64_t fw_counter_read(void) { return 0; }

void fw_exit(int code) {
  fw_flush();
  exit(code);
}

void fw_board_reset(void) {
  fw_flush();
  longjmp(reset_point, 1);
}

int main(void) {
  struct termios t;
  const char *name;
  int slave;
  master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || !(name = ptsname(master))) {
    perror("mliflow firmware: cannot open a pseudo-terminal");
    return 1;
  }
  /* Raw before anyone opens it, and held open so the terminal keeps its settings and the master
   * reads block (rather than fail) while the harness has not opened it yet. */
  slave = open(name, O_RDWR | O_NOCTTY);
  if (slave < 0 || tcgetattr(slave, &t) != 0) {
    perror(name);
    return 1;
  }
  cfmakeraw(&t);
  tcsetattr(slave, TCSANOW, &t);
  printf("char device redirected to %s (label serial0)\n", name);
  fflush(stdout);
  setjmp(reset_point);
  fw_main();
  return 0;
}
