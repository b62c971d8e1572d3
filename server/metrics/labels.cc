#include "server/metrics/labels.h"

#include <string>

#include "absl/strings/ascii.h"
#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"

namespace seedgate::metrics {
namespace {

template <size_t N>
int IndexIn(const std::array<absl::string_view, N>& names, absl::string_view value, int fallback) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == value) return static_cast<int>(i);
  }
  return fallback;
}

int Type(absl::string_view type) { return ErrorTypeIndex(type); }

}  // namespace

int ModelIndex(absl::string_view requested_model) {
  if (requested_model.empty()) return 0;  // the upstream default: doubao-seed-2.0-pro
  int index = IndexIn(kModelNames, requested_model, kModelOther);
  // A caller naming its model "none" is just another unknown name.
  return index == kModelNone ? kModelOther : index;
}

int ErrorTypeIndex(absl::string_view type) {
  return IndexIn(kErrorTypes, type, static_cast<int>(kErrorTypes.size()) - 1);
}

int ErrorTypeOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  if (translate::GetDetail(status, &info)) {
    if (info.domain() == "evolink.ai") return Type(absl::AsciiStrToLower(info.reason()));
    const std::string& reason = info.reason();
    if (reason == "INVALID_REQUEST") return Type("validation");
    if (reason == "DEADLINE_EXCEEDED") return Type("deadline");
    if (reason == "UPSTREAM_UNREACHABLE" || reason == "UPSTREAM_CONNECTION_LOST") {
      return Type("transport");
    }
    if (reason == "UPSTREAM_TIMEOUT" || reason == "UPSTREAM_FIRST_BYTE_TIMEOUT" ||
        reason == "UPSTREAM_IDLE_TIMEOUT") {
      return Type("timeout");
    }
    if (reason == "UPSTREAM_LIMIT_EXCEEDED") return Type("upstream_limit");
    if (reason == "SHUTTING_DOWN") return Type("shutting_down");
    if (reason == "UPSTREAM_STREAM_TRUNCATED") return Type("truncated_stream");
    if (reason == "MALFORMED_UPSTREAM_RESPONSE") return Type("malformed_upstream_response");
    if (reason == "UNAUTHENTICATED") return Type("unauthenticated");
    if (reason == "TOO_MANY_RPCS") return Type("overloaded");
    if (reason == "CLIENT_QUOTA_EXCEEDED") return Type("client_quota");
    if (reason == "SCHEMA_VIOLATION") return Type("schema_violation");
  }
  switch (status.code()) {
    case absl::StatusCode::kCancelled:
      return Type("cancelled");
    case absl::StatusCode::kDeadlineExceeded:
      return Type("deadline");
    case absl::StatusCode::kUnauthenticated:
      return Type("unauthenticated");
    default:
      return Type("other");
  }
}

int StatusClassIndex(int http_status, bool transport_error, bool cancelled) {
  if (cancelled) return 4;
  if (transport_error) return 3;
  if (http_status >= 200 && http_status < 300) return 0;
  if (http_status >= 400 && http_status < 500) return 1;
  if (http_status >= 500 && http_status < 600) return 2;
  return 5;
}

}  // namespace seedgate::metrics
