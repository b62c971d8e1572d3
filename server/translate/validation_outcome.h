#ifndef SEEDGATE_SERVER_TRANSLATE_VALIDATION_OUTCOME_H_
#define SEEDGATE_SERVER_TRANSLATE_VALIDATION_OUTCOME_H_

#include "seedgate/v1/chat.pb.h"

namespace seedgate::translate {

// What was checked: a tool call's arguments or a choice's content. The
// values index metrics::kValidationSubjects.
enum class ValidationSubject { kToolArguments = 0, kContent = 1 };

// The outcome of one check, the first that applies in this order. The
// values index metrics::kValidationOutcomes.
enum class ValidationOutcome {
  kValid = 0,
  kInvalidJson = 1,
  kSchemaViolation = 2,
  kUnknownTool = 3,  // tool calls only: a function the request did not declare
};

// One check made, for the metrics.
struct ValidationRecord {
  ValidationSubject subject;
  ValidationOutcome outcome;
};

inline ValidationOutcome OutcomeOf(const v1::ArgumentsValidation& validation) {
  if (validation.unknown_tool()) return ValidationOutcome::kUnknownTool;
  if (!validation.valid_json()) return ValidationOutcome::kInvalidJson;
  if (!validation.schema_valid()) return ValidationOutcome::kSchemaViolation;
  return ValidationOutcome::kValid;
}

inline ValidationOutcome OutcomeOf(const v1::ContentValidation& validation) {
  if (!validation.valid_json()) return ValidationOutcome::kInvalidJson;
  if (!validation.schema_valid()) return ValidationOutcome::kSchemaViolation;
  return ValidationOutcome::kValid;
}

}  // namespace seedgate::translate

#endif  // SEEDGATE_SERVER_TRANSLATE_VALIDATION_OUTCOME_H_
