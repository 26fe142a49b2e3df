// SPDX-License-Identifier: GPL-2.0
// Strict parsers for the values pciback and libxl write to xenstore. Every value is untrusted:
// no sign, no blanks, no trailing bytes, bounded length and range.
// Portable: built unchanged for the kernel and for the host tests.
#pragma once

#include "kcxx/result.hpp"
#include "lib/pciif.hpp"

namespace pcifront {

// Longest value we accept; real ones are a few bytes ("0000:00:02.0").
inline constexpr size_t kMaxXsValue = 64;
// Upper bounds for counts: one root per (segment, bus) pair would already be absurd past this.
inline constexpr uint32_t kMaxRoots = 256;
inline constexpr uint32_t kMaxDevs = 256;

// Unsigned integer in @base (10 or 16), at most @max. @len is the length xenstore reported.
Result<uint32_t> parse_uint(const char *s, size_t len, unsigned int base, uint32_t max);
// `root_num`, `num_devs`: decimal, at most @max.
Result<uint32_t> parse_count(const char *s, size_t len, uint32_t max);
// `root-N`: "%x:%x", segment <= 0xffff, bus <= 0xff. Sets bdf.devfn to 0.
Result<Bdf> parse_root(const char *s, size_t len);
// `dev-N` / `vdev-N`: "dddd:bb:ss.f" in hex.
Result<Bdf> parse_bdf(const char *s, size_t len);
// `state`, `state-N`: a XenbusState, 0..8.
Result<int> parse_state(const char *s, size_t len);

// "state-12": @prefix then @i in decimal, terminated; @cap must hold the longest (16 is enough).
void format_index_key(char *out, size_t cap, const char *prefix, uint32_t i);

} // namespace pcifront
