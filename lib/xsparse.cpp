// SPDX-License-Identifier: GPL-2.0
// Portable: built unchanged for the kernel and for the host tests.
#include "lib/xsparse.hpp"

namespace pcifront {

static int digit_value(char c, unsigned int base)
{
	int v;
	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < static_cast<int>(base) ? v : -1;
}

// Parses digits from s[*pos] up to a byte that is not a digit; at least one, at most @max.
static Result<uint32_t> take_uint(const char *s, size_t len, size_t *pos, unsigned int base,
				  uint32_t max)
{
	uint64_t v = 0;
	size_t start = *pos;
	while (*pos < len) {
		const int d = digit_value(s[*pos], base);
		if (d < 0)
			break;
		v = v * base + static_cast<uint64_t>(d);
		if (v > max)
			return kcxx::err(-KCXX_ERANGE);
		++*pos;
	}
	if (*pos == start)
		return kcxx::err(-KCXX_EINVAL);
	return static_cast<uint32_t>(v);
}

static Result<void> check_len(const char *s, size_t len)
{
	if (!s || len == 0 || len > kMaxXsValue)
		return kcxx::err(-KCXX_EINVAL);
	// xenstore values are not NUL-terminated by contract; refuse embedded NULs too.
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0')
			return kcxx::err(-KCXX_EINVAL);
	return kcxx::ok();
}

static Result<void> expect(const char *s, size_t len, size_t *pos, char c)
{
	if (*pos >= len || s[*pos] != c)
		return kcxx::err(-KCXX_EINVAL);
	++*pos;
	return kcxx::ok();
}

static Result<void> expect_end(size_t len, size_t pos)
{
	return pos == len ? kcxx::ok() : kcxx::Result<void>(kcxx::err(-KCXX_EINVAL));
}

Result<uint32_t> parse_uint(const char *s, size_t len, unsigned int base, uint32_t max)
{
	TRY(check_len(s, len));
	size_t pos = 0;
	const uint32_t v = TRY(take_uint(s, len, &pos, base, max));
	TRY(expect_end(len, pos));
	return v;
}

Result<uint32_t> parse_count(const char *s, size_t len, uint32_t max)
{
	return parse_uint(s, len, 10, max);
}

// "segment:bus" in hex, the common prefix of root-N and dev-N.
static Result<Bdf> take_domain_bus(const char *s, size_t len, size_t *pos)
{
	TRY(check_len(s, len));
	Bdf b;
	b.domain = TRY(take_uint(s, len, pos, 16, 0xffff));
	TRY(expect(s, len, pos, ':'));
	b.bus = TRY(take_uint(s, len, pos, 16, 0xff));
	return b;
}

Result<Bdf> parse_root(const char *s, size_t len)
{
	size_t pos = 0;
	const Bdf b = TRY(take_domain_bus(s, len, &pos));
	TRY(expect_end(len, pos));
	return b;
}

Result<Bdf> parse_bdf(const char *s, size_t len)
{
	size_t pos = 0;
	Bdf b = TRY(take_domain_bus(s, len, &pos));
	TRY(expect(s, len, &pos, ':'));
	const uint32_t slot = TRY(take_uint(s, len, &pos, 16, 0x1f));
	TRY(expect(s, len, &pos, '.'));
	const uint32_t fn = TRY(take_uint(s, len, &pos, 16, 7));
	TRY(expect_end(len, pos));
	b.devfn = devfn(slot, fn);
	return b;
}

Result<int> parse_state(const char *s, size_t len)
{
	return static_cast<int>(TRY(parse_uint(s, len, 10, XenbusStateReconfigured)));
}

void format_index_key(char *out, size_t cap, const char *prefix, uint32_t i)
{
	if (!cap)
		return;
	size_t n = 0;
	for (; prefix[n] && n + 1 < cap; ++n)
		out[n] = prefix[n];
	char digits[10];
	int d = 0;
	do {
		digits[d++] = static_cast<char>('0' + i % 10);
		i /= 10;
	} while (i && d < 10);
	while (d > 0 && n + 1 < cap)
		out[n++] = digits[--d];
	out[n] = '\0';
}

} // namespace pcifront
