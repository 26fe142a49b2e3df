/* SPDX-License-Identifier: GPL-2.0 */
/* Fixed-width types for headers compiled by kernel C, kernel C++ and host C++ alike. */
#ifndef KCXX_TYPES_H
#define KCXX_TYPES_H

#if defined(__KERNEL__) && !defined(__cplusplus)
#include <linux/types.h>
#elif defined(__KCXX_KERNEL__)
/* Kernel C++ sees no kernel header: the compiler's own type macros give the kernel's ABI. */
typedef __INT8_TYPE__ int8_t;
typedef __INT16_TYPE__ int16_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __INTPTR_TYPE__ intptr_t;
typedef __SIZE_TYPE__ size_t;
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
#define KCXX_EXTERN_C_BEGIN extern "C" {
#define KCXX_EXTERN_C_END }
#else
#define KCXX_EXTERN_C_BEGIN
#define KCXX_EXTERN_C_END
#endif

/*
 * A name with a number pasted on: KCXX_SIZED(kcxx_mutex_init_, KCXX_MUTEX_BYTES). The shims'
 * init functions for storage sized from the kernel config carry the size in their names, so
 * a C++ object that saw other sizes than the C shim fails to link (modpost: undefined symbol)
 * instead of overrunning the storage at run time.
 */
#define KCXX_CAT_(a, b) a##b
#define KCXX_SIZED(name, bytes) KCXX_CAT_(name, bytes)
#define KCXX_CAT3_(a, b, c) a##b##_##c
#define KCXX_SIZED2(name, bytes, more) KCXX_CAT3_(name, bytes, more)

/* The kernel's __must_check, spelled so that kernel C, kernel C++ and host C++ all accept it. */
#define KCXX_MUST_CHECK __attribute__((__warn_unused_result__))
#define KCXX_PRINTF(a, b) __attribute__((__format__(__printf__, a, b)))

#endif /* KCXX_TYPES_H */
