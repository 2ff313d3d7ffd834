/*
 * checksum.h — CRC-32C (Castagnoli; store record frames) and CRC-32
 * (IEEE 802.3; AWS event-stream frames).
 */
#ifndef EDDY_CHECKSUM_H
#define EDDY_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC-32C over `n` bytes; start with crc = 0. Uses the SSE4.2
 * instruction when the CPU has it. This function can't fail. */
uint32_t eddy_crc32c(uint32_t crc, const void *p, size_t n);

/* The CRC-32C (from 0) of three buffers, as eddy_crc32c(0, bufs[i],
 * lens[i]) each, about three times as fast as one after another when the
 * lengths are alike. */
void eddy_crc32c_x3(const void *const bufs[3], const size_t lens[3], uint32_t out[3]);

/* Continues a CRC-32 (zlib polynomial) over `n` bytes; start with crc = 0. */
uint32_t eddy_crc32(uint32_t crc, const void *p, size_t n);

#endif
