#include "server/translate/status_details.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace seedgate::translate {

void AttachDetail(absl::Status& status, const google::protobuf::Message& detail) {
  // An OK status cannot carry payloads (absl ignores them); callers attach
  // details only to errors.
  status.SetPayload(absl::StrCat("type.googleapis.com/", detail.GetDescriptor()->full_name()),
                    absl::Cord(detail.SerializeAsString()));
}

}  // namespace seedgate::translate
