#include "server/service/admission.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"

namespace seedgate::service {

absl::Status Admission::Enter() {
  if (in_flight_.fetch_add(1, std::memory_order_relaxed) < max_in_flight_) {
    return absl::OkStatus();
  }
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  absl::Status status = absl::ResourceExhaustedError(
      absl::StrCat("seedgate is serving its maximum of ", max_in_flight_,
                   " chat RPCs (--max_concurrent_rpcs); retry shortly, or on another replica"));
  google::rpc::ErrorInfo info;
  info.set_reason("TOO_MANY_RPCS");
  info.set_domain("seedgate");
  (*info.mutable_metadata())["max_concurrent_rpcs"] = absl::StrCat(max_in_flight_);
  translate::AttachDetail(status, info);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(1);
  translate::AttachDetail(status, retry);
  return status;
}

}  // namespace seedgate::service
