#ifndef SEEDGATE_SERVER_METRICS_LABELS_H_
#define SEEDGATE_SERVER_METRICS_LABELS_H_

#include <array>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace seedgate::metrics {

// Every label value seedgate can export comes from a fixed list below, so the
// number of series is known at start-up and no caller-supplied string (a
// model name, a request id, a key) ever becomes a label value.

enum class Method { kCreateChatCompletion, kStreamChatCompletion, kListModels };
inline constexpr std::array<absl::string_view, 3> kMethodNames = {
    "CreateChatCompletion", "StreamChatCompletion", "ListModels"};

// The documented models, "other" for anything else, "none" for RPCs that
// involve no model (ListModels).
inline constexpr std::array<absl::string_view, 6> kModelNames = {"doubao-seed-2.0-pro",
                                                                 "doubao-seed-2.0-lite",
                                                                 "doubao-seed-2.0-mini",
                                                                 "doubao-seed-2.0-code",
                                                                 "other",
                                                                 "none"};
inline constexpr int kModelOther = 4;
inline constexpr int kModelNone = 5;
// The label index of a requested model; empty is the upstream's default (pro).
int ModelIndex(absl::string_view requested_model);

// gRPC status code names, indexed by code.
inline constexpr std::array<absl::string_view, 17> kCodeNames = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

// Error types: the upstream reference's, then seedgate's own kinds.
inline constexpr std::array<absl::string_view, 24> kErrorTypes = {
    // Reported by the upstream (ErrorInfo domain "evolink.ai").
    "invalid_request_error", "authentication_error", "insufficient_quota_error", "permission_error",
    "not_found_error", "request_too_large_error", "rate_limit_error", "internal_server_error",
    "upstream_error", "service_unavailable_error",
    // seedgate's own.
    "validation",      // the request broke a rule; no upstream call
    "deadline",        // the caller's deadline expired
    "cancelled",       // the caller cancelled
    "transport",       // the upstream could not be reached or the connection broke
    "timeout",         // --request_timeout, --upstream_first_byte_timeout or _idle_timeout
    "upstream_limit",  // the upstream sent more than a --max_upstream_* / --max_stream_chunks limit
    "shutting_down",   // --shutdown_grace ran out before the call ended
    "truncated_stream",             // the upstream ended a stream without [DONE]
    "malformed_upstream_response",  // the upstream sent something unreadable
    "unauthenticated",              // the caller is not allowed in
    "overloaded",                   // --max_concurrent_rpcs reached
    "client_quota",                 // the caller is past one of its limits
    "schema_violation",             // fail_on_schema_violation and the answer broke its schema
    "other"};                       // anything not above
int ErrorTypeIndex(absl::string_view type);  // "other" when unknown

// The error type of a failed call, from its code and google.rpc.ErrorInfo.
int ErrorTypeOf(const absl::Status& status);

// Upstream response classes.
inline constexpr std::array<absl::string_view, 6> kStatusClasses = {
    "2xx", "4xx", "5xx", "transport_error", "cancelled", "other"};
int StatusClassIndex(int http_status, bool transport_error, bool cancelled);

// Why an upstream call was tried again.
// In the order of upstream::RetryReason.
inline constexpr std::array<absl::string_view, 4> kRetryReasons = {
    "connect_failure", "connection_lost", "rate_limited", "server_error"};

// Per-client limits (--client_requests_per_minute and the like).
inline constexpr std::array<absl::string_view, 3> kQuotaLimits = {
    "requests_per_minute", "concurrent_streams", "tokens_per_minute"};

// Client names become label values only up to this many distinct names (the
// tokens file's are known; mTLS names come from certificates); later names
// are counted as "other". Callers not authenticated count as
// "unauthenticated".
inline constexpr size_t kMaxClientLabels = 100;

// Answer checks (translate::ValidationSubject / ValidationOutcome, same order):
// what was checked, and how it came out.
inline constexpr std::array<absl::string_view, 2> kValidationSubjects = {"tool_arguments",
                                                                         "content"};
inline constexpr std::array<absl::string_view, 4> kValidationOutcomes = {
    "valid", "invalid_json", "schema_violation", "unknown_tool"};
inline constexpr int kValidationOutcomeUnknownTool = 3;  // tool_arguments only

// Token kinds of the upstream's usage.
inline constexpr std::array<absl::string_view, 4> kTokenTypes = {"prompt", "completion",
                                                                 "reasoning", "cached"};

}  // namespace seedgate::metrics

#endif  // SEEDGATE_SERVER_METRICS_LABELS_H_
