// SPDX-License-Identifier: GPL-2.0
// The printf-checked variadic methods of the C++ owners (kcxx/device.hpp, kcxx/xen.hpp), out of
// line: each forwards its arguments to the one shim that takes them as a va_list.
#include "kcxx/device.hpp"
#include "kcxx/time.hpp"
#include "kcxx/xen.hpp"
#include "lib/log_limit.hpp"

namespace kcxx
{

namespace
{
LogLimits limits; // zero-initialised: no constructor runs

// Whether a rate-limited line of the call site @fmt may be printed now; it says first how many
// of that site's lines were not.
bool limit_passes(const Device &dev, int level, const char *fmt)
{
	uint32_t dropped = 0;
	if (!limits.allow(fmt, now_ns(), &dropped))
		return false;
	if (dropped)
		dev.log(level, "%u lines like the next one not printed (rate limit)", dropped);
	return true;
}
} // namespace

void log(const char *modname, int level, const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	kcxx_vlog(modname, level, fmt, &ap);
	__builtin_va_end(ap);
}

int format(char *buf, size_t size, const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	const int n = kcxx_vsnprintf(buf, size, fmt, &ap);
	__builtin_va_end(ap);
	return n;
}

void Device::log(int level, const char *fmt, ...) const
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	kcxx_dev_vlog(d_, level, fmt, &ap);
	__builtin_va_end(ap);
}

void Device::log_ratelimited(int level, const char *fmt, ...) const
{
	if (!limit_passes(*this, level, fmt))
		return;
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	kcxx_dev_vlog(d_, level, fmt, &ap);
	__builtin_va_end(ap);
}

void Seq::print(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	kcxx_seq_vprintf(m_, fmt, &ap);
	__builtin_va_end(ap);
}

} // namespace kcxx

namespace xen
{

void XenbusDevice::log(int level, const char *fmt, ...) const
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	kcxx_dev_vlog(kcxx_xenbus_to_device(x_), level, fmt, &ap);
	__builtin_va_end(ap);
}

void XenbusDevice::log_ratelimited(int level, const char *fmt, ...) const
{
	const kcxx::Device d(kcxx_xenbus_to_device(x_));
	if (!kcxx::limit_passes(d, level, fmt))
		return;
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	kcxx_dev_vlog(d.raw(), level, fmt, &ap);
	__builtin_va_end(ap);
}

} // namespace xen
