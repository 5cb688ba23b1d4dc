/* What a freestanding link for ARC EM needs, without libgcc (Debian's is built for ARC HS and
 * uses ldd/std, which trap on EM) and without a C library: byte copies, ldexpf (MLI), and the
 * 64-bit shifts GCC calls out of line. */
#include <stddef.h>
#include <stdint.h>

/* Keep GCC from turning these loops back into calls to themselves. */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
float ldexpf(float x, int e);
int64_t __ashrdi3(int64_t a, int b);
int64_t __ashldi3(int64_t a, int b);
uint64_t __lshrdi3(uint64_t a, int b);

void *memcpy(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  if ((((uintptr_t)d | (uintptr_t)s) & 3u) == 0) {
    for (; n >= 4; n -= 4, d += 4, s += 4) *(uint32_t *)(void *)d = *(const uint32_t *)(const void *)s;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  if (d <= s || d >= s + n) return memcpy(dst, src, n);
  while (n--) d[n] = s[n];
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  uint8_t *d = dst;
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = a;
  const uint8_t *y = b;
  for (; n; --n, ++x, ++y) {
    if (*x != *y) return *x < *y ? -1 : 1;
  }
  return 0;
}

/* x * 2^e on the float's bits: exact for normal results, flushes to zero or infinity beyond them. */
float ldexpf(float x, int e) {
  union {
    float f;
    uint32_t u;
  } v;
  int32_t exp;
  v.f = x;
  exp = (int32_t)((v.u >> 23) & 0xFFu);
  if (exp == 0 || exp == 0xFF) return x; /* zero, subnormal (MLI never passes one), inf, nan */
  exp += e;
  if (exp >= 0xFF) {
    v.u = (v.u & 0x80000000u) | 0x7F800000u;
  } else if (exp <= 0) {
    v.u &= 0x80000000u;
  } else {
    v.u = (v.u & ~(0xFFu << 23)) | ((uint32_t)exp << 23);
  }
  return v.f;
}

typedef union {
  int64_t s;
  uint64_t u;
  struct {
    uint32_t lo;
    uint32_t hi;
  } w;
} dw;

int64_t __ashrdi3(int64_t a, int b) {
  dw v;
  v.s = a;
  if (b == 0) return a;
  if (b >= 32) {
    v.w.lo = (uint32_t)((int32_t)v.w.hi >> (b - 32));
    v.w.hi = (uint32_t)((int32_t)v.w.hi >> 31);
  } else {
    v.w.lo = (v.w.lo >> b) | (v.w.hi << (32 - b));
    v.w.hi = (uint32_t)((int32_t)v.w.hi >> b);
  }
  return v.s;
}

uint64_t __lshrdi3(uint64_t a, int b) {
  dw v;
  v.u = a;
  if (b == 0) return a;
  if (b >= 32) {
    v.w.lo = v.w.hi >> (b - 32);
    v.w.hi = 0;
  } else {
    v.w.lo = (v.w.lo >> b) | (v.w.hi << (32 - b));
    v.w.hi >>= b;
  }
  return v.u;
}

int64_t __ashldi3(int64_t a, int b) {
  dw v;
  v.s = a;
  if (b == 0) return a;
  if (b >= 32) {
    v.w.hi = v.w.lo << (b - 32);
    v.w.lo = 0;
  } else {
    v.w.hi = (v.w.hi << b) | (v.w.lo >> (32 - b));
    v.w.lo <<= b;
  }
  return v.s;
}
