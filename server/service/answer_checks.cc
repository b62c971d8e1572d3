#include "server/service/answer_checks.h"

#include <utility>

#include "server/translate/completion_validation.h"

namespace seedgate::service {

absl::StatusOr<std::unique_ptr<AnswerChecks>> AnswerChecks::ForRequest(
    const v1::CreateChatCompletionRequest& request, metrics::RpcRecorder* recorder) {
  absl::StatusOr<translate::RequestSchemas> schemas = translate::CompileRequestSchemas(request);
  if (!schemas.ok()) return schemas.status();
  return std::unique_ptr<AnswerChecks>(new AnswerChecks(*std::move(schemas), recorder));
}

absl::Status AnswerChecks::CheckCompletion(v1::ChatCompletion& completion) {
  translate::CompletionValidation result = translate::ValidateCompletion(schemas_, completion);
  Record(result.records);
  return result.strict_status;
}

void AnswerChecks::CheckChunk(v1::ChatCompletionChunk& chunk) { Record(stream_.Observe(chunk)); }

absl::Status AnswerChecks::StreamStatus(absl::Status upstream_status) const {
  if (!upstream_status.ok()) return upstream_status;
  return stream_.strict_status();
}

void AnswerChecks::Record(const std::vector<translate::ValidationRecord>& records) {
  for (const translate::ValidationRecord& record : records) {
    recorder_->OnValidation(static_cast<int>(record.subject), static_cast<int>(record.outcome));
  }
}

}  // namespace seedgate::service
