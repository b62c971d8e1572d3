// libFuzzer target for server/translate/upstream_error.h: error bodies of
// any shape (JSON, HTML, text, binary) with any Retry-After and request-id
// header values, for any HTTP status 100..599.
//
// Input layout (FuzzedDataProvider): the Retry-After value and the request-id
// value as backslash-terminated strings at the front, the status in the last
// two bytes, the body in between. Properties checked:
//   - ParseUpstreamError and UpstreamErrorToStatus never crash;
//   - the status is an error whose message is valid UTF-8 (it becomes
//     google.rpc.Status.message, a proto3 string) and of a sane length:
//     bounded by the input's size, and by a few hundred bytes when the body
//     is not JSON (non-JSON bodies are cut to a short excerpt);
//   - the ErrorInfo detail parses via GetDetail and matches the error;
//     RetryInfo and RequestInfo parse when present;
//   - the same holds for ParseStreamError on a body that is JSON.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"
#include "server/translate/upstream_error.h"
#include "tests/fuzz/fuzz_check.h"

namespace seedgate::fuzz {
namespace {

bool IsUpperSnake(const std::string& text) {
  for (char c : text) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return !text.empty();
}

void CheckStatus(const translate::UpstreamError& error, const absl::Status& status,
                 size_t max_message_bytes) {
  FUZZ_CHECK(!status.ok(), "");
  const std::string message(status.message());
  FUZZ_CHECK(IsValidUtf8(message), message);
  FUZZ_CHECK(message.size() <= max_message_bytes,
             std::to_string(message.size()) + " > " + std::to_string(max_message_bytes));

  google::rpc::ErrorInfo info;
  FUZZ_CHECK(translate::GetDetail(status, &info), message);
  FUZZ_CHECK(IsUpperSnake(info.reason()), info.reason());
  FUZZ_CHECK(info.domain() == "evolink.ai", info.domain());
  FUZZ_CHECK(info.metadata().count("type") == 1 && info.metadata().at("type") == error.type,
             error.type);
  if (error.http_status != 0) {
    FUZZ_CHECK(info.metadata().count("http_status") == 1 &&
                   info.metadata().at("http_status") == std::to_string(error.http_status),
               "");
  }

  google::rpc::RetryInfo retry;
  const bool has_retry = translate::GetDetail(status, &retry);
  FUZZ_CHECK(has_retry == error.retry_after.has_value(), "");
  if (has_retry) {
    FUZZ_CHECK(retry.retry_delay().seconds() >= 0, "");
    FUZZ_CHECK(retry.retry_delay().nanos() >= 0 && retry.retry_delay().nanos() < 1000000000, "");
  }

  google::rpc::RequestInfo request_info;
  const bool has_request_info = translate::GetDetail(status, &request_info);
  FUZZ_CHECK(has_request_info == !error.request_id.empty(), "");
  if (has_request_info) FUZZ_CHECK(request_info.request_id() == error.request_id, "");
}

}  // namespace
}  // namespace seedgate::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seedgate;
  FuzzedDataProvider provider(data, size);
  const int http_status = provider.ConsumeIntegralInRange<int>(100, 599);
  const std::string retry_after = provider.ConsumeRandomLengthString(64);
  const std::string request_id = provider.ConsumeRandomLengthString(512);
  const std::string body = provider.ConsumeRemainingBytesAsString();

  const translate::UpstreamError error =
      translate::ParseUpstreamError(http_status, body, retry_after, request_id);
  FUZZ_CHECK(error.http_status == http_status, "");
  FUZZ_CHECK(!error.type.empty(), "");
  FUZZ_CHECK(!error.message.empty(), "");

  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  // Numbers are quoted as nlohmann writes them ("1e15" becomes
  // "1000000000000000"), hence the factor.
  const size_t input_bound = 1024 + 8 * size;
  // Not JSON: the body and the header value are each cut to ~200 bytes.
  const size_t excerpt_bound = 600;
  fuzz::CheckStatus(error, translate::UpstreamErrorToStatus(error),
                    parsed.is_discarded() ? excerpt_bound : input_bound);

  if (!parsed.is_discarded()) {
    const translate::UpstreamError stream_error = translate::ParseStreamError(parsed);
    FUZZ_CHECK(stream_error.http_status == 0, "");
    FUZZ_CHECK(!stream_error.type.empty(), "");
    fuzz::CheckStatus(stream_error, translate::UpstreamErrorToStatus(stream_error), input_bound);
  }
  return 0;
}
