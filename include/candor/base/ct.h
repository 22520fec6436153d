// ct.h: constant-time validation markers (house style H6, after BoringSSL's CONSTTIME_SECRET).
// Built with CANDOR_CT_VALIDATION (tests/ct only), CANDOR_CT_SECRET(p, n) tells valgrind's
// memcheck that the `n` bytes at `p` are secret: it then reports every branch and every memory
// index that depends on them as a use of uninitialised memory. CANDOR_CT_PUBLIC(p, n) marks a
// value derived from secrets as public by design (a verdict the caller is told anyway). Without
// CANDOR_CT_VALIDATION both are no-ops that cost nothing.
#pragma once

#ifdef CANDOR_CT_VALIDATION
#include <valgrind/memcheck.h>
#define CANDOR_CT_SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define CANDOR_CT_PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define CANDOR_CT_SECRET(p, n) ((void)(p), (void)(n))
#define CANDOR_CT_PUBLIC(p, n) ((void)(p), (void)(n))
#endif
