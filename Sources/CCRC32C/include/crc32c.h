#ifndef PARASOL_CRC32C_H
#define PARASOL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `count` bytes at `bytes`.
///
/// `seed` is the checksum of the bytes that came before (0 for none), so that
/// `parasol_crc32c(parasol_crc32c(0, a, n), b, m)` equals the checksum of `a` followed by `b`.
/// `bytes` may be NULL when `count` is 0. Uses the SSE4.2 CRC32 instruction when the CPU has it
/// (checked once, at the first call) and the portable slicing-by-8 tables otherwise.
uint32_t parasol_crc32c(uint32_t seed, const void *bytes, size_t count);

/// The portable slicing-by-8 implementation, exposed so tests can compare both paths.
uint32_t parasol_crc32c_portable(uint32_t seed, const void *bytes, size_t count);

/// Returns 1 when this CPU has the SSE4.2 CRC32 instruction, 0 otherwise (always 0 off x86-64).
int parasol_crc32c_sse42_available(void);

/// The SSE4.2 implementation (three interleaved streams). Only call it when
/// `parasol_crc32c_sse42_available()` returned 1: on other CPUs it aborts (off x86-64) or
/// executes an illegal instruction.
uint32_t parasol_crc32c_sse42(uint32_t seed, const void *bytes, size_t count);

#ifdef __cplusplus
}
#endif

#endif
