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

/* Continues a CRC-32 (zlib polynomial) over `n` bytes; start with crc = 0. */
uint32_t eddy_crc32(uint32_t crc, const void *p, size_t n);

#endif
