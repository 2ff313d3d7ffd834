/*
 * checksum.c — table-driven CRC-32 and CRC-32C, with a hardware CRC-32C path
 * on x86-64 chosen once at first use.
 */
#include "checksum.h"

#include <pthread.h>
#include <string.h>

static uint32_t tab_c[8][256];   /* slicing-by-8 tables, Castagnoli */
static uint32_t tab_ieee[256];
static int have_sse42;
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

static void tab_build(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i, d = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            d = (d & 1) ? (d >> 1) ^ 0xEDB88320u : d >> 1;
        }
        tab_c[0][i] = c;
        tab_ieee[i] = d;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            tab_c[t][i] = (tab_c[t - 1][i] >> 8) ^ tab_c[0][tab_c[t - 1][i] & 0xFF];
#if defined(__x86_64__)
    __builtin_cpu_init();
    have_sse42 = __builtin_cpu_supports("sse4.2");
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const unsigned char *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}

/* The crc32 instruction takes three cycles but starts one per cycle, so a
 * single buffer uses a third of it. Three independent buffers (frames of one
 * batch) interleaved keep it busy; what is left of the longer ones after the
 * common length runs alone. */
__attribute__((target("sse4.2")))
static void crc32c_hw_x3(const unsigned char *const bufs[3], const size_t lens[3], uint32_t out[3]) {
    const unsigned char *a = bufs[0], *b = bufs[1], *c = bufs[2];
    size_t common = lens[0];
    if (lens[1] < common) common = lens[1];
    if (lens[2] < common) common = lens[2];
    uint64_t ca = 0xFFFFFFFFu, cb = 0xFFFFFFFFu, cc = 0xFFFFFFFFu;
    size_t i = 0;
    for (; i + 8 <= common; i += 8) {
        uint64_t va, vb, vc;
        memcpy(&va, a + i, 8);
        memcpy(&vb, b + i, 8);
        memcpy(&vc, c + i, 8);
        ca = __builtin_ia32_crc32di(ca, va);
        cb = __builtin_ia32_crc32di(cb, vb);
        cc = __builtin_ia32_crc32di(cc, vc);
    }
    out[0] = ~crc32c_hw((uint32_t)ca, a + i, lens[0] - i);
    out[1] = ~crc32c_hw((uint32_t)cb, b + i, lens[1] - i);
    out[2] = ~crc32c_hw((uint32_t)cc, c + i, lens[2] - i);
}
#endif

void eddy_crc32c_x3(const void *const bufs[3], const size_t lens[3], uint32_t out[3]) {
    pthread_once(&tab_once, tab_build);
#if defined(__x86_64__)
    if (have_sse42) {
        crc32c_hw_x3((const unsigned char *const *)bufs, lens, out);
        return;
    }
#endif
    for (int i = 0; i < 3; i++) out[i] = eddy_crc32c(0, bufs[i], lens[i]);
}

uint32_t eddy_crc32c(uint32_t crc, const void *buf, size_t n) {
    pthread_once(&tab_once, tab_build);
    const unsigned char *p = buf;
    crc = ~crc;
#if defined(__x86_64__)
    if (have_sse42) return ~crc32c_hw(crc, p, n);
#endif
    while (n >= 8) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + 4, 4);
        lo ^= crc;
        crc = tab_c[7][lo & 0xFF] ^ tab_c[6][(lo >> 8) & 0xFF] ^
              tab_c[5][(lo >> 16) & 0xFF] ^ tab_c[4][lo >> 24] ^
              tab_c[3][hi & 0xFF] ^ tab_c[2][(hi >> 8) & 0xFF] ^
              tab_c[1][(hi >> 16) & 0xFF] ^ tab_c[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) crc = (crc >> 8) ^ tab_c[0][(crc ^ *p++) & 0xFF];
    return ~crc;
}

uint32_t eddy_crc32(uint32_t crc, const void *buf, size_t n) {
    pthread_once(&tab_once, tab_build);
    const unsigned char *p = buf;
    crc = ~crc;
    while (n--) crc = (crc >> 8) ^ tab_ieee[(crc ^ *p++) & 0xFF];
    return ~crc;
}
