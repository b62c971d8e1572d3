// What seedgate-bench's two gRPC drivers (callback API, completion queue)
// share: the channels, the request, the deadline, status names, and the
// schedule that starts calls.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/load/load.h"
#include "seedgate/v1/chat.grpc.pb.h"

namespace seedgate::bench {

// One stub per --channels, each on its own HTTP/2 connection.
std::vector<std::unique_ptr<v1::ChatService::Stub>> MakeStubs(const LoadOptions& options);

// The request every call sends: one user message with the emulator's
// directives.
v1::CreateChatCompletionRequest MakeRequest(const LoadOptions& options);

std::chrono::system_clock::time_point CallDeadline(const LoadOptions& options);

// "DEADLINE_EXCEEDED", ...: the error key in the report.
std::string GrpcCodeName(grpc::StatusCode code);

// Starts calls with `issue(intended)`: open loop, from a pacer thread at
// their scheduled times (dropping, and counting, calls beyond
// --max_in_flight); closed loop, --concurrency calls now (each driver starts
// the next from a finished call's completion). Then waits for the calls in
// flight; returns whether they all finished before the drain deadline.
bool RunSchedule(const LoadOptions& options, Schedule& schedule, Recorder& recorder,
                 const std::function<void(Clock::time_point intended)>& issue);

}  // namespace seedgate::bench
