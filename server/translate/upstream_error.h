#ifndef SEEDGATE_SERVER_TRANSLATE_UPSTREAM_ERROR_H_
#define SEEDGATE_SERVER_TRANSLATE_UPSTREAM_ERROR_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace seedgate::translate {

// What the upstream said went wrong, from whatever shape it said it in.
struct UpstreamError {
  int http_status = 0;   // 0 for an error event inside a 200 stream
  std::string type;      // normalized: one of the reference's types,
                         // e.g. "rate_limit_error"; derived from the
                         // HTTP status when the body has none or an
                         // unknown one (e.g. "Too Many Requests")
  std::string raw_type;  // as sent, when it differs from `type`
  std::string code;      // as sent: "429", "InvalidParameter", ""
  std::string message;   // as sent; for a non-JSON body a short,
                         // single-line excerpt of it
  std::string param;     // may be empty
  std::string fallback_suggestion;
  std::string request_id;                     // from the body or the response headers
  std::optional<absl::Duration> retry_after;  // Retry-After header, or
                                              // "retry after N seconds"
};

// Reads an error from an upstream HTTP response (status >= 400) whose body may
// be the documented `{"error": {...}}`, another JSON shape, HTML, plain text
// or empty. `retry_after_header` and `request_id_header` are the raw header
// values ("" when absent). Never fails.
//
// - message: `error.message` (or a top-level `message`, `msg`, `detail`, or
//   `{"error": "text"}`); for HTML the <title>, else the text without tags;
//   for other text the text itself; non-JSON text is collapsed to one line of
//   at most ~200 bytes. An empty body gives the HTTP reason phrase
//   ("Too Many Requests").
// - type: the sent type when it is one of the reference's (any case), else
//   the reference's type for the HTTP status; statuses the reference does not
//   list give "upstream_error" (5xx) or "http_<status>" (e.g. "http_418").
// - request_id: the header, else `error.request_id`, `request_id` or `id`.
// - retry_after: Retry-After in delta-seconds, else a fallback_suggestion
//   saying "retry after N seconds". An HTTP-date Retry-After is ignored (it
//   needs the current time; these functions are pure).
UpstreamError ParseUpstreamError(int http_status, std::string_view body,
                                 std::string_view retry_after_header,
                                 std::string_view request_id_header);

// Reads an error object sent inside a stream (`event: error`, or a data line
// holding `{"error": {...}}`); http_status stays 0. An unknown type becomes
// the reference's type for a numeric `code` that is an HTTP status, or for a
// few common OpenAI-style names ("server_error"), else "upstream_error".
UpstreamError ParseStreamError(const nlohmann::json& payload);

// The status a caller sees for an upstream error, with google.rpc details
// (status_details.h): ErrorInfo{reason: TYPE_IN_UPPER_SNAKE, domain:
// "evolink.ai", metadata: type, upstream_type, code, param, http_status,
// fallback_suggestion, request_id}, RetryInfo when a delay is known,
// RequestInfo when a request id is known. The message names the type and
// HTTP status and quotes the upstream message and request id. The mapping
// (README "Errors") is:
//   400 -> INVALID_ARGUMENT   401 -> INTERNAL (seedgate's key is refused)
//   402 -> RESOURCE_EXHAUSTED 403 -> PERMISSION_DENIED  404 -> NOT_FOUND
//   408 -> DEADLINE_EXCEEDED  413 -> INVALID_ARGUMENT   429 -> RESOURCE_EXHAUSTED
//   500 -> INTERNAL           502, 503, 504 -> UNAVAILABLE
//   other 4xx -> FAILED_PRECONDITION, other 5xx -> UNAVAILABLE
// An error without an HTTP status (in a stream) is mapped by its numeric
// `code` when that is an HTTP status (400..599), else by the status the
// reference documents for its type, else UNAVAILABLE (the stream broke;
// trying again may help). The message reads e.g. `upstream rate_limit_error
// (HTTP 429): Rate limit exceeded; param: model; suggestion: retry after 60
// seconds; request id: abc`, empty parts left out.
absl::Status UpstreamErrorToStatus(const UpstreamError& error);

// A 200 response, or a stream event, that is not what the reference documents.
// INTERNAL with ErrorInfo{reason: "MALFORMED_UPSTREAM_RESPONSE", domain:
// "seedgate"}; `what` says what was wrong, never quoting more than a short
// excerpt of the body.
absl::Status MalformedUpstreamResponse(std::string_view what);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_UPSTREAM_ERROR_H_
