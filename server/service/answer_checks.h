#ifndef SEEDGATE_SERVER_SERVICE_ANSWER_CHECKS_H_
#define SEEDGATE_SERVER_SERVICE_ANSWER_CHECKS_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seedgate/v1/chat.pb.h"
#include "server/metrics/rpc_recorder.h"
#include "server/translate/request_schemas.h"
#include "server/translate/stream_validation.h"

namespace seedgate::service {

// The checks of one chat RPC's answer against its request's schemas (tool
// parameters, response_format): the schemas compiled once when the RPC
// starts, each check counted in the metrics, and the strict-mode outcome.
// Not thread-safe: a reactor calls it from one thread at a time.
class AnswerChecks {
 public:
  // INVALID_ARGUMENT when one of the request's schemas cannot be compiled
  // (request_schemas.h); call after the request passed validation.
  // `recorder` must outlive the result.
  static absl::StatusOr<std::unique_ptr<AnswerChecks>> ForRequest(
      const v1::CreateChatCompletionRequest& request, metrics::RpcRecorder* recorder);

  // Unary: sets the checks on `completion`. Returns the status the RPC ends
  // with: OK, or FAILED_PRECONDITION under fail_on_schema_violation.
  absl::Status CheckCompletion(v1::ChatCompletion& completion);

  // Stream: takes in each chunk before it is sent; sets the checks on the
  // chunk that finishes a choice.
  void CheckChunk(v1::ChatCompletionChunk& chunk);

  // Stream: the status the stream ends with, given the upstream's. An OK
  // stream whose content broke a strict schema ends FAILED_PRECONDITION under
  // fail_on_schema_violation (after every chunk was delivered).
  absl::Status StreamStatus(absl::Status upstream_status) const;

 private:
  AnswerChecks(translate::RequestSchemas schemas, metrics::RpcRecorder* recorder)
      : schemas_(std::move(schemas)), stream_(schemas_), recorder_(recorder) {}
  void Record(const std::vector<translate::ValidationRecord>& records);

  const translate::RequestSchemas schemas_;
  translate::StreamValidator stream_;  // refers to schemas_
  metrics::RpcRecorder* const recorder_;
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_ANSWER_CHECKS_H_
