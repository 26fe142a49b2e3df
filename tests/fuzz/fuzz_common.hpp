// SPDX-License-Identifier: GPL-2.0
// Shared by the libFuzzer targets: an invariant that does not hold stops the run with its name,
// and an input is consumed a byte at a time (zeros once it is used up).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "host_runtime.hpp"

#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
				     #cond);                                                   \
			std::abort();                                                        \
		}                                                                            \
	} while (0)

struct ByteSource {
	const uint8_t *p;
	size_t left;

	bool empty() const { return left == 0; }
	uint8_t u8()
	{
		if (!left)
			return 0;
		--left;
		return *p++;
	}
	uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
	uint32_t u32() { return u16() | (static_cast<uint32_t>(u16()) << 16); }
	// Copies up to @n bytes into @out, zero-filling the rest.
	void bytes(void *out, size_t n)
	{
		const size_t k = n < left ? n : left;
		std::memcpy(out, p, k);
		std::memset(static_cast<uint8_t *>(out) + k, 0, n - k);
		p += k;
		left -= k;
	}
};

// The portable code reports an errno outside -MAX_ERRNO..0 through kcxx_bad_errno(); no input
// may make it do so.
inline void fuzz_no_bad_errno() { FUZZ_CHECK(host_bad_errno_calls == 0); }
