// libFuzzer target for server/translate/request_validation.h and
// request_json.h: what a gRPC caller sends.
//
// The input is a binary seedgate.v1.CreateChatCompletionRequest (the wire
// bytes gRPC hands the service); inputs that do not parse are what gRPC
// itself refuses, so they are skipped. For both RPCs (streaming or not) and
// both model policies, properties checked:
//   - ValidateRequest never crashes; CheckRequest agrees with it, and its
//     error has a valid UTF-8 message and BadRequest/ErrorInfo details that
//     parse, holding the same violations;
//   - a request without violations becomes upstream JSON that dumps with
//     nlohmann's default (strict, throwing) UTF-8 handling, as
//     PrepareUpstreamBody (server/service/chat_call_env.cc) dumps it, and
//     that dump parses back as a JSON object with `messages` and `stream`.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "google/protobuf/stubs/logging.h"
#include "google/rpc/error_details.pb.h"
#include "seedgate/v1/chat.pb.h"
#include "server/translate/request_json.h"
#include "server/translate/request_validation.h"
#include "server/translate/status_details.h"
#include "tests/fuzz/fuzz_check.h"

namespace seedgate::fuzz {
namespace {

void CheckOne(const v1::CreateChatCompletionRequest& request,
              const translate::ValidationOptions& options) {
  const std::vector<google::rpc::BadRequest::FieldViolation> violations =
      translate::ValidateRequest(request, options);
  for (const auto& violation : violations) {
    FUZZ_CHECK(!violation.field().empty(), violation.description());
    FUZZ_CHECK(!violation.description().empty(), violation.field());
  }

  const absl::Status status = translate::CheckRequest(request, options);
  FUZZ_CHECK(status.ok() == violations.empty(), "");
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument, "");
    const std::string message(status.message());
    FUZZ_CHECK(IsValidUtf8(message), message);
    google::rpc::BadRequest bad_request;
    FUZZ_CHECK(translate::GetDetail(status, &bad_request), "BadRequest does not parse");
    FUZZ_CHECK(bad_request.field_violations_size() == static_cast<int>(violations.size()), "");
    for (size_t i = 0; i < violations.size(); ++i) {
      const auto& got = bad_request.field_violations(static_cast<int>(i));
      FUZZ_CHECK(
          got.field() == violations[i].field() && got.description() == violations[i].description(),
          got.field());
    }
    google::rpc::ErrorInfo info;
    FUZZ_CHECK(translate::GetDetail(status, &info), "ErrorInfo does not parse");
    FUZZ_CHECK(info.reason() == "INVALID_REQUEST", info.reason());
    return;
  }

  const nlohmann::json body = translate::RequestToJson(request, options.streaming);
  std::string text;
  try {
    text = body.dump();  // as the service does: throws on invalid UTF-8
  } catch (const std::exception& e) {
    CheckFailed(__FILE__, __LINE__, "RequestToJson(...).dump() throws", e.what());
  }
  const nlohmann::json reparsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(reparsed.is_object(), text);
  FUZZ_CHECK(reparsed.contains("messages") && reparsed["messages"].is_array(), text);
  FUZZ_CHECK(reparsed.value("stream", !options.streaming) == options.streaming, text);
}

}  // namespace
}  // namespace seedgate::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Most mutations are not valid wire bytes, or hold invalid UTF-8 in a
  // string; protobuf logs each refusal. The refusals are expected.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  seedgate::v1::CreateChatCompletionRequest request;
  // -1: gRPC would refuse these bytes before the service sees them; libFuzzer
  // keeps no such input in the corpus.
  if (!request.ParseFromArray(data, static_cast<int>(size))) return -1;
  for (bool streaming : {false, true}) {
    for (bool allow_unknown_models : {false, true}) {
      seedgate::translate::ValidationOptions options;
      options.streaming = streaming;
      options.allow_unknown_models = allow_unknown_models;
      seedgate::fuzz::CheckOne(request, options);
    }
  }
  return 0;
}
