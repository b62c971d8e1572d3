#pragma once

#include "bench/load/load.h"

namespace seedgate::bench {

// Each runs the whole load (warm-up, window, drain) and records into
// `recorder`; returns whether every call in flight finished before the drain
// deadline. RunGrpcLoad drives gRPC's callback API, RunGrpcCqLoad its
// completion-queue API.
bool RunGrpcLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder);
bool RunGrpcCqLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder);
bool RunHttpLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder);

}  // namespace seedgate::bench
