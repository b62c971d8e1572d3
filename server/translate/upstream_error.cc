#include "server/translate/upstream_error.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/duration.pb.h"
#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"
#include "server/translate/text_excerpt.h"

namespace seedgate::translate {
namespace {

using nlohmann::json;

// This absl build has its own string_view type; the public API uses std's.
absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }

constexpr char kUpstreamDomain[] = "evolink.ai";

// The reference's error types, each with the HTTP status it documents.
struct KnownType {
  int http_status;
  const char* type;
};
constexpr KnownType kKnownTypes[] = {
    {400, "invalid_request_error"},    {401, "authentication_error"},
    {402, "insufficient_quota_error"}, {403, "permission_error"},
    {404, "not_found_error"},          {413, "request_too_large_error"},
    {429, "rate_limit_error"},         {500, "internal_server_error"},
    {502, "upstream_error"},           {503, "service_unavailable_error"},
};

// Names other OpenAI-style services use for the same errors. Only consulted
// when there is no HTTP status to go by (an error event inside a stream).
constexpr std::pair<const char*, const char*> kTypeAliases[] = {
    {"invalid_request", "invalid_request_error"},
    {"invalid_parameter", "invalid_request_error"},
    {"authentication", "authentication_error"},
    {"insufficient_quota", "insufficient_quota_error"},
    {"permission_denied", "permission_error"},
    {"not_found", "not_found_error"},
    {"rate_limit_exceeded", "rate_limit_error"},
    {"server_error", "internal_server_error"},
    {"api_error", "internal_server_error"},
    {"overloaded_error", "service_unavailable_error"},
};

absl::string_view ReasonPhrase(int http_status) {
  switch (http_status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// The reference's type for an HTTP status. Statuses the reference does not
// list get `upstream_error` when 5xx (the upstream failed) and `http_<status>`
// otherwise, so the ErrorInfo reason still says what happened ("HTTP_418").
std::string TypeForHttpStatus(int http_status) {
  for (const KnownType& known : kKnownTypes) {
    if (known.http_status == http_status) return known.type;
  }
  if (http_status >= 500 && http_status <= 599) return "upstream_error";
  return absl::StrCat("http_", http_status);
}

// The HTTP status the reference documents for a type, or 0.
int HttpStatusForType(absl::string_view type) {
  for (const KnownType& known : kKnownTypes) {
    if (type == known.type) return known.http_status;
  }
  return 0;
}

// `code` when it is an HTTP error status ("429" or 429), else 0.
int HttpStatusFromCode(absl::string_view code) {
  int number = 0;
  if (!absl::SimpleAtoi(code, &number) || number < 400 || number > 599) return 0;
  return number;
}

// A JSON scalar as text: strings as they are, numbers as written (a whole
// float like 429.0 as "429"), anything else "".
std::string ScalarText(const json* value) {
  if (value == nullptr) return "";
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_float()) {
    const double number = value->get<double>();
    // Only a whole number inside int64's range may be cast (anything else is
    // undefined behaviour: `"code": 1e300` must not be).
    if (std::trunc(number) == number && number >= -0x1p63 && number < 0x1p63) {
      return absl::StrCat(static_cast<std::int64_t>(number));
    }
  }
  if (value->is_number() || value->is_boolean()) return value->dump();
  return "";
}

const json* Member(const json& object, absl::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(std::string_view(key.data(), key.size()));
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string FirstText(const json& object, std::initializer_list<absl::string_view> keys) {
  for (absl::string_view key : keys) {
    std::string text = ScalarText(Member(object, key));
    if (!text.empty()) return text;
  }
  return "";
}

// Fills `error` from a JSON error body: `{"error": {...}}`, `{"error":
// "text"}` or the members at the top level (`{"message": ...}`).
void ReadJsonError(const json& body, UpstreamError& error) {
  const json* nested = Member(body, "error");
  const json& fields = nested != nullptr && nested->is_object() ? *nested : body;
  error.message = FirstText(fields, {"message", "msg", "detail", "error_description"});
  if (error.message.empty() && nested != nullptr && nested->is_string()) {
    error.message = nested->get<std::string>();
  }
  error.raw_type = FirstText(fields, {"type"});
  error.code = FirstText(fields, {"code"});
  error.param = FirstText(fields, {"param"});
  error.fallback_suggestion = FirstText(fields, {"fallback_suggestion"});
  error.request_id = FirstText(fields, {"request_id"});
  if (error.request_id.empty()) error.request_id = FirstText(body, {"request_id", "id"});
}

// Sets `type` to a reference type, keeping what was sent in `raw_type` when
// it differs. A known type (in any case) is kept; otherwise the HTTP status
// decides, or, in a stream, a known alias, a numeric code, or `upstream_error`.
void NormalizeType(UpstreamError& error) {
  const std::string lowered = absl::AsciiStrToLower(absl::StripAsciiWhitespace(error.raw_type));
  if (HttpStatusForType(lowered) != 0) {
    error.type = lowered;
  } else if (error.http_status != 0) {
    error.type = TypeForHttpStatus(error.http_status);
  } else {
    for (const auto& [alias, type] : kTypeAliases) {
      if (lowered == alias) error.type = type;
    }
    if (error.type.empty()) {
      const int status = HttpStatusFromCode(error.code);
      error.type = status != 0 ? TypeForHttpStatus(status) : "upstream_error";
    }
  }
  if (error.raw_type == error.type) error.raw_type.clear();
}

// "retry after 60 seconds" (the reference's 429 and 503 suggestions), also
// "Retry after 5s" and "retry after 1 second".
std::optional<absl::Duration> RetryAfterFromSuggestion(absl::string_view text) {
  constexpr absl::string_view kPhrase = "retry after";
  for (size_t i = 0; i + kPhrase.size() <= text.size(); ++i) {
    if (!absl::EqualsIgnoreCase(text.substr(i, kPhrase.size()), kPhrase)) continue;
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(text.substr(i + kPhrase.size()));
    size_t digits = 0;
    while (digits < rest.size() && absl::ascii_isdigit(rest[digits])) ++digits;
    std::int64_t seconds = 0;
    if (digits == 0 || !absl::SimpleAtoi(rest.substr(0, digits), &seconds)) continue;
    const absl::string_view unit = absl::StripLeadingAsciiWhitespace(rest.substr(digits));
    if (absl::StartsWithIgnoreCase(unit, "s")) return absl::Seconds(seconds);
  }
  return std::nullopt;
}

// Retry-After in delta-seconds. The HTTP-date form is ignored: turning it into
// a delay needs the current time, and these functions are pure.
std::optional<absl::Duration> RetryAfterFromHeader(absl::string_view header) {
  std::int64_t seconds = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(header), &seconds) || seconds < 0) {
    return std::nullopt;
  }
  return absl::Seconds(seconds);
}

absl::StatusCode CodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    // The upstream refused seedgate's own API key: the caller cannot fix it.
    case 401:
      return absl::StatusCode::kInternal;
    case 402:
      return absl::StatusCode::kResourceExhausted;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 408:
      return absl::StatusCode::kDeadlineExceeded;
    case 413:
      return absl::StatusCode::kInvalidArgument;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 500:
      return absl::StatusCode::kInternal;
    default:
      break;
  }
  if (http_status >= 400 && http_status <= 499) return absl::StatusCode::kFailedPrecondition;
  // 502, 503, 504, other 5xx, and anything that is no error status at all:
  // the upstream did not give a usable answer; trying again may help.
  return absl::StatusCode::kUnavailable;
}

// The HTTP status that decides the gRPC code: the response's own, else (in a
// stream) a numeric `code`, else the status the reference gives the type.
int EffectiveHttpStatus(const UpstreamError& error) {
  if (error.http_status != 0) return error.http_status;
  if (const int from_code = HttpStatusFromCode(error.code); from_code != 0) return from_code;
  return HttpStatusForType(error.type);
}

std::string UpperSnake(absl::string_view text) {
  std::string out;
  for (const char c : text) out.push_back(absl::ascii_isalnum(c) ? absl::ascii_toupper(c) : '_');
  return out;
}

}  // namespace

UpstreamError ParseUpstreamError(int http_status, std::string_view body_view,
                                 std::string_view retry_after_header_view,
                                 std::string_view request_id_header_view) {
  const absl::string_view body = ToAbsl(body_view);
  const absl::string_view retry_after_header = ToAbsl(retry_after_header_view);
  const absl::string_view request_id_header = ToAbsl(request_id_header_view);
  UpstreamError error;
  error.http_status = http_status;
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    ReadJsonError(parsed, error);
    // An object in a shape this reader does not know still says something.
    if (error.message.empty() && error.raw_type.empty() && error.code.empty() && !parsed.empty()) {
      error.message = SingleLine(body);
    }
  } else if (parsed.is_string()) {
    error.message = parsed.get<std::string>();
  } else if (!parsed.is_discarded() && !parsed.is_null()) {
    error.message = SingleLine(body);
  } else {
    error.message = ErrorBodyExcerpt(body);
  }
  if (error.message.empty()) {
    const absl::string_view phrase = ReasonPhrase(http_status);
    error.message = phrase.empty() ? absl::StrCat("HTTP ", http_status) : std::string(phrase);
  }
  NormalizeType(error);

  const std::string header_id = SingleLine(request_id_header);
  if (!header_id.empty()) error.request_id = header_id;

  error.retry_after = RetryAfterFromHeader(retry_after_header);
  if (!error.retry_after) error.retry_after = RetryAfterFromSuggestion(error.fallback_suggestion);
  return error;
}

UpstreamError ParseStreamError(const nlohmann::json& payload) {
  UpstreamError error;
  if (payload.is_object()) {
    ReadJsonError(payload, error);
  } else if (payload.is_string()) {
    error.message = SingleLine(payload.get<std::string>());
  } else if (!payload.is_null()) {
    error.message = SingleLine(payload.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  NormalizeType(error);
  error.retry_after = RetryAfterFromSuggestion(error.fallback_suggestion);
  return error;
}

absl::Status UpstreamErrorToStatus(const UpstreamError& error) {
  const int effective_status = EffectiveHttpStatus(error);
  const absl::StatusCode code =
      effective_status != 0 ? CodeForHttpStatus(effective_status) : absl::StatusCode::kUnavailable;

  std::string message = absl::StrCat("upstream ", error.type);
  if (error.http_status != 0) absl::StrAppend(&message, " (HTTP ", error.http_status, ")");
  absl::StrAppend(&message, ": ", error.message.empty() ? "no message" : error.message);
  if (!error.param.empty()) absl::StrAppend(&message, "; param: ", error.param);
  if (!error.fallback_suggestion.empty()) {
    absl::StrAppend(&message, "; suggestion: ", error.fallback_suggestion);
  }
  if (!error.request_id.empty()) absl::StrAppend(&message, "; request id: ", error.request_id);
  absl::Status status(code, message);

  google::rpc::ErrorInfo info;
  info.set_reason(UpperSnake(error.type));
  info.set_domain(kUpstreamDomain);
  auto& metadata = *info.mutable_metadata();
  auto put = [&metadata](const char* key, const std::string& value) {
    if (!value.empty()) metadata[key] = value;
  };
  put("type", error.type);
  if (error.raw_type != error.type) put("upstream_type", error.raw_type);
  put("code", error.code);
  put("param", error.param);
  if (error.http_status != 0) put("http_status", absl::StrCat(error.http_status));
  put("fallback_suggestion", error.fallback_suggestion);
  put("request_id", error.request_id);
  AttachDetail(status, info);

  if (error.retry_after.has_value()) {
    google::rpc::RetryInfo retry;
    const absl::Duration delay = *error.retry_after;
    const std::int64_t seconds = absl::ToInt64Seconds(delay);
    retry.mutable_retry_delay()->set_seconds(seconds);
    retry.mutable_retry_delay()->set_nanos(
        static_cast<std::int32_t>(absl::ToInt64Nanoseconds(delay - absl::Seconds(seconds))));
    AttachDetail(status, retry);
  }
  if (!error.request_id.empty()) {
    google::rpc::RequestInfo request_info;
    request_info.set_request_id(error.request_id);
    AttachDetail(status, request_info);
  }
  return status;
}

absl::Status MalformedUpstreamResponse(std::string_view what_view) {
  const absl::string_view what = ToAbsl(what_view);
  absl::Status status(absl::StatusCode::kInternal,
                      absl::StrCat("malformed upstream response: ", SingleLine(what)));
  google::rpc::ErrorInfo info;
  info.set_reason("MALFORMED_UPSTREAM_RESPONSE");
  info.set_domain("seedgate");
  AttachDetail(status, info);
  return status;
}

}  // namespace seedgate::translate
