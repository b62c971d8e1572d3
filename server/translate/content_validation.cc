#include "server/translate/content_validation.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/error_details.pb.h"
#include "server/translate/json_schema.h"
#include "server/translate/status_details.h"

namespace seedgate::translate {
namespace {

// Violations listed in the status message; all of them are in BadRequest.
constexpr int kViolationsInMessage = 3;

}  // namespace

bool ShouldValidateContent(const RequestSchemas& schemas, absl::string_view content,
                           bool has_tool_calls) {
  if (schemas.content_format == ContentFormat::kText) return false;
  return !has_tool_calls || !absl::StripAsciiWhitespace(content).empty();
}

v1::ContentValidation ValidateContent(const RequestSchemas& schemas, absl::string_view content) {
  v1::ContentValidation validation;
  ParsedJson parsed = ParseJsonText(content);
  validation.set_valid_json(parsed.ok);
  if (!parsed.ok) {
    *validation.add_violations() = std::move(parsed.error);
    return validation;
  }
  if (schemas.content_format == ContentFormat::kJsonObject) {
    if (!parsed.value.is_object()) {
      v1::SchemaViolation* violation = validation.add_violations();
      violation->set_message(absl::StrCat("is ", parsed.value.type_name(),
                                          "; response_format json_object wants a JSON object"));
    }
  } else if (schemas.content_schema.has_value()) {
    for (v1::SchemaViolation& violation : schemas.content_schema->Validate(parsed.value)) {
      *validation.add_violations() = std::move(violation);
    }
  }
  validation.set_schema_valid(validation.violations().empty());
  return validation;
}

absl::Status StrictContentStatus(const RequestSchemas& schemas, int choice_index,
                                 const v1::ContentValidation& validation) {
  if (!schemas.fail_on_violation || validation.schema_valid()) return absl::OkStatus();
  google::rpc::BadRequest bad_request;
  std::vector<std::string> summaries;
  for (const v1::SchemaViolation& violation : validation.violations()) {
    google::rpc::BadRequest::FieldViolation* field = bad_request.add_field_violations();
    field->set_field(violation.pointer());
    field->set_description(violation.message());
    if (static_cast<int>(summaries.size()) < kViolationsInMessage) {
      summaries.push_back(violation.pointer().empty()
                              ? violation.message()
                              : absl::StrCat(violation.pointer(), ": ", violation.message()));
    }
  }
  const int count = validation.violations_size();
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(
      "the answer (choice ", choice_index, ") does not satisfy response_format.json_schema \"",
      schemas.content_schema_name, "\" (strict, fail_on_schema_violation): ", count,
      count == 1 ? " violation: " : " violations: ", absl::StrJoin(summaries, "; "),
      count > kViolationsInMessage ? "; ..." : ""));
  AttachDetail(status, bad_request);
  google::rpc::ErrorInfo info;
  info.set_reason("SCHEMA_VIOLATION");
  info.set_domain("seedgate");
  (*info.mutable_metadata())["schema"] = schemas.content_schema_name;
  (*info.mutable_metadata())["choice_index"] = absl::StrCat(choice_index);
  AttachDetail(status, info);
  return status;
}

}  // namespace seedgate::translate
