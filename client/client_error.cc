#include "client/client_error.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace seedgate::client {
namespace {

std::chrono::milliseconds ToMillis(const google::protobuf::Duration& d) {
  return std::chrono::milliseconds(d.seconds() * 1000 + d.nanos() / 1000000);
}

// "7s", "1.5s", "250ms".
std::string FormatDelay(std::chrono::milliseconds delay) {
  int64_t ms = delay.count();
  if (ms % 1000 == 0) return absl::StrCat(ms / 1000, "s");
  if (ms < 1000) return absl::StrCat(ms, "ms");
  return absl::StrCat(ms / 1000, ".", absl::StrFormat("%03d", ms % 1000), "s");
}

void DecodeErrorInfo(const google::rpc::ErrorInfo& info, ClientError* error) {
  error->has_error_info = true;
  error->reason = info.reason();
  error->domain = info.domain();
  for (const auto& [key, value] : info.metadata()) error->metadata[key] = value;
  auto get = [&](const char* key) -> std::string {
    auto it = error->metadata.find(key);
    return it == error->metadata.end() ? "" : it->second;
  };
  error->type = get("type");
  error->param = get("param");
  error->fallback_suggestion = get("fallback_suggestion");
  int http_status = 0;
  if (absl::SimpleAtoi(get("http_status"), &http_status)) error->http_status = http_status;
  if (error->request_id.empty()) error->request_id = get("request_id");
}

}  // namespace

ClientError ClientError::FromStatus(const grpc::Status& status) {
  ClientError error;
  error.code = status.error_code();
  error.message = status.error_message();
  google::rpc::Status rpc_status;
  if (status.error_details().empty() || !rpc_status.ParseFromString(status.error_details())) {
    return error;
  }
  for (const auto& any : rpc_status.details()) {
    if (google::rpc::ErrorInfo info; any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) {
      DecodeErrorInfo(info, &error);
    } else if (google::rpc::RetryInfo retry;
               any.Is<google::rpc::RetryInfo>() && any.UnpackTo(&retry)) {
      error.retry_delay = ToMillis(retry.retry_delay());
    } else if (google::rpc::BadRequest bad;
               any.Is<google::rpc::BadRequest>() && any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) {
        error.violations.push_back({v.field(), v.description()});
      }
    } else if (google::rpc::RequestInfo request;
               any.Is<google::rpc::RequestInfo>() && any.UnpackTo(&request)) {
      // RequestInfo is the authoritative id; ErrorInfo's copy only fills a gap.
      if (!request.request_id().empty()) error.request_id = request.request_id();
    }
  }
  return error;
}

ClientError ClientError::Local(grpc::StatusCode code, std::string message) {
  ClientError error;
  error.code = code;
  error.message = std::move(message);
  return error;
}

std::string ClientError::CodeName() const { return StatusCodeName(code); }

std::string ClientError::ToString() const {
  std::string out = absl::StrCat(CodeName(), ": ", message);
  if (has_error_info) {
    absl::StrAppend(&out, "\n  reason: ", reason.empty() ? "-" : reason);
    if (!domain.empty()) absl::StrAppend(&out, " (domain ", domain, ")");
    if (!type.empty() || http_status != 0) {
      absl::StrAppend(&out, "\n  upstream:");
      if (!type.empty()) absl::StrAppend(&out, " type ", type);
      if (http_status != 0) absl::StrAppend(&out, " http ", http_status);
    }
    if (!param.empty()) absl::StrAppend(&out, "\n  param: ", param);
    if (!fallback_suggestion.empty()) {
      absl::StrAppend(&out, "\n  suggestion: ", fallback_suggestion);
    }
    // Anything else the server attached, so nothing is hidden.
    for (const auto& [key, value] : metadata) {
      if (key == "type" || key == "param" || key == "http_status" || key == "fallback_suggestion" ||
          key == "request_id") {
        continue;
      }
      absl::StrAppend(&out, "\n  ", key, ": ", value);
    }
  }
  if (retry_delay) absl::StrAppend(&out, "\n  retry after: ", FormatDelay(*retry_delay));
  if (!request_id.empty()) absl::StrAppend(&out, "\n  request id: ", request_id);
  if (!violations.empty()) {
    absl::StrAppend(&out, "\n  violations:");
    for (const auto& v : violations) {
      absl::StrAppend(&out, "\n    ", v.field.empty() ? "(request)" : v.field, ": ", v.description);
    }
  }
  return out;
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

}  // namespace seedgate::client
