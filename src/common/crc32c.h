// CRC-32C (Castagnoli), the checksum of every log record. Uses the SSE4.2
// crc32 instruction when the CPU has it, a table otherwise. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ferry {

// Extends `crc` (the value of a previous call, or 0) over data.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

}  // namespace ferry
