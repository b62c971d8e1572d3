#ifndef SEEDGATE_SERVER_TRANSLATE_COMPLETION_VALIDATION_H_
#define SEEDGATE_SERVER_TRANSLATE_COMPLETION_VALIDATION_H_

#include <vector>

#include "absl/status/status.h"
#include "seedgate/v1/chat.pb.h"
#include "server/translate/request_schemas.h"
#include "server/translate/validation_outcome.h"

namespace seedgate::translate {

// The checks of a unary answer, set in place: arguments_validation on every
// tool call, content_validation on every choice whose content is checked
// (see ShouldValidateContent).
struct CompletionValidation {
  std::vector<ValidationRecord> records;  // one per check, for the metrics
  // StrictContentStatus of the first choice that fails it; OK otherwise.
  absl::Status strict_status;
};
CompletionValidation ValidateCompletion(const RequestSchemas& schemas,
                                        v1::ChatCompletion& completion);

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_COMPLETION_VALIDATION_H_
