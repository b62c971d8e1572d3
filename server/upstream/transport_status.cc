#include "server/upstream/transport_status.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"

namespace seedgate::upstream {
namespace {

absl::Status WithInfo(absl::Status status, absl::string_view reason, absl::string_view base_url,
                      int64_t chunks_delivered, CURLcode code) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain("seedgate");
  auto& metadata = *info.mutable_metadata();
  if (!base_url.empty()) metadata["base_url"] = std::string(base_url);
  if (code != CURLE_OK) metadata["curl_code"] = absl::StrCat(static_cast<int>(code));
  metadata["chunks_delivered"] = absl::StrCat(chunks_delivered);
  translate::AttachDetail(status, info);
  return status;
}

std::string Delivered(const TransportFailure& failure) {
  if (!failure.streaming) return "";
  return absl::StrCat(" after ", failure.chunks_delivered, " chunk(s) were delivered");
}

}  // namespace

bool IsConnectFailure(const TransportFailure& failure) {
  switch (failure.code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
      return true;
    case CURLE_OPERATION_TIMEDOUT:
      return !failure.connected && !failure.deadline_hit;
    default:
      return false;
  }
}

absl::Status TransportFailureToStatus(const TransportFailure& failure) {
  std::string detail = failure.detail.empty() ? curl_easy_strerror(failure.code) : failure.detail;
  if (failure.deadline_hit) {
    return WithInfo(
        absl::DeadlineExceededError(absl::StrCat("deadline exceeded waiting for the upstream at ",
                                                 failure.base_url, Delivered(failure))),
        "DEADLINE_EXCEEDED", failure.base_url, failure.chunks_delivered, failure.code);
  }
  if (failure.code == CURLE_OPERATION_TIMEDOUT && failure.connected) {
    return WithInfo(
        absl::DeadlineExceededError(absl::StrCat("the upstream at ", failure.base_url,
                                                 " did not finish within --request_timeout",
                                                 Delivered(failure), ": ", detail)),
        "UPSTREAM_TIMEOUT", failure.base_url, failure.chunks_delivered, failure.code);
  }
  absl::string_view reason =
      IsConnectFailure(failure) ? "UPSTREAM_UNREACHABLE" : "UPSTREAM_CONNECTION_LOST";
  std::string what = IsConnectFailure(failure) ? "cannot reach the upstream at "
                                               : "lost the connection to the upstream at ";
  return WithInfo(absl::UnavailableError(
                      absl::StrCat(what, failure.base_url, Delivered(failure), ": ", detail)),
                  reason, failure.base_url, failure.chunks_delivered, failure.code);
}

absl::Status TruncatedStreamStatus(absl::string_view base_url, int64_t chunks_delivered) {
  return WithInfo(absl::UnavailableError(absl::StrCat(
                      "the upstream at ", base_url, " ended the stream after ", chunks_delivered,
                      " chunk(s) without [DONE]: the answer is incomplete")),
                  "UPSTREAM_STREAM_TRUNCATED", base_url, chunks_delivered, CURLE_OK);
}

absl::Status StreamTimeoutStatus(StreamTimeout which, absl::Duration limit,
                                 absl::string_view base_url, int64_t chunks_delivered) {
  const bool first_byte = which == StreamTimeout::kFirstByte;
  return WithInfo(absl::UnavailableError(absl::StrCat(
                      "the upstream at ", base_url,
                      first_byte ? " sent no response within --upstream_first_byte_timeout ("
                                 : " sent nothing for --upstream_idle_timeout (",
                      absl::FormatDuration(limit), ") after ", chunks_delivered,
                      " chunk(s); the upstream transfer was aborted")),
                  first_byte ? "UPSTREAM_FIRST_BYTE_TIMEOUT" : "UPSTREAM_IDLE_TIMEOUT", base_url,
                  chunks_delivered, CURLE_OK);
}

absl::Status UpstreamLimitStatus(absl::string_view what, absl::string_view flag,
                                 absl::string_view base_url, int64_t chunks_delivered) {
  absl::Status status = absl::InternalError(absl::StrCat(
      "the upstream at ", base_url, " sent ", what, ", more than ", flag,
      " allows; the upstream transfer was aborted after ", chunks_delivered, " chunk(s)"));
  google::rpc::ErrorInfo info;
  info.set_reason("UPSTREAM_LIMIT_EXCEEDED");
  info.set_domain("seedgate");
  (*info.mutable_metadata())["limit"] = std::string(absl::StripPrefix(flag, "--"));
  (*info.mutable_metadata())["base_url"] = std::string(base_url);
  (*info.mutable_metadata())["chunks_delivered"] = absl::StrCat(chunks_delivered);
  translate::AttachDetail(status, info);
  return status;
}

absl::Status ShuttingDownStatus(bool streaming, int64_t chunks_delivered) {
  return WithInfo(
      absl::UnavailableError(absl::StrCat(
          "seedgate is shutting down and its --shutdown_grace ran out",
          streaming ? absl::StrCat(" after ", chunks_delivered, " chunk(s) of this stream") : "",
          "; the upstream call was aborted. Retry: another replica will take it")),
      "SHUTTING_DOWN", "", chunks_delivered, CURLE_OK);
}

}  // namespace seedgate::upstream
