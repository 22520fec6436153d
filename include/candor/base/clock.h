// clock.h: the wall clock, injected. Every layer that reads the time of day takes a Clock from
// its caller, and a process's composition root (candord's Serve, the witness, the CLI's engine)
// makes one, so that a test can run the whole stack on a clock of its own. Intervals (batch
// spacing, timers, timeouts) use std::chrono::steady_clock instead: a wall clock that jumps
// must not stretch or shrink them.
#pragma once

#include <cstdint>
#include <functional>

namespace candor {

// Clock returns the wall time in milliseconds since the Unix epoch. Formats that count seconds
// (C2SP cosignatures, MLS lifetimes) divide by 1000.
using Clock = std::function<uint64_t()>;

// SystemClock is the system's wall clock.
Clock SystemClock();

// SystemNowMs reads the system's wall clock once (for the default of a library that was given
// no Clock).
uint64_t SystemNowMs();

}  // namespace candor
