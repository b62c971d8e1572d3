#ifndef SEEDGATE_SERVER_METRICS_SEEDGATE_METRICS_H_
#define SEEDGATE_SERVER_METRICS_SEEDGATE_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "server/metrics/labels.h"

namespace seedgate::metrics {

// Every instrument seedgate exports. All label combinations are created here,
// once, at start-up: recording is an array index and an atomic add, never a
// map lookup or an allocation on the hot path. The README maps each name to
// its OpenTelemetry GenAI semantic-convention name.
//
// It is itself what the exposer collects: gauges that mirror another
// component's state (open upstream transfers) are read at scrape time.
class SeedgateMetrics : public prometheus::Collectable {
 public:
  SeedgateMetrics();

  // Where the number of open upstream transfers comes from.
  void set_open_transfers_source(std::function<double()> source) {
    open_transfers_source_ = std::move(source);
  }

  // The configured upstream base URLs (a bounded label: the operator's list)
  // and where their ejected state comes from. Call once, before serving.
  void AddBaseUrls(const std::vector<std::string>& base_urls,
                   std::function<bool(size_t index)> ejected_source);

  std::vector<prometheus::MetricFamily> Collect() const override;

  static constexpr size_t kMethods = kMethodNames.size();
  static constexpr size_t kModels = kModelNames.size();
  static constexpr size_t kCodes = kCodeNames.size();
  static constexpr size_t kErrors = kErrorTypes.size();
  static constexpr size_t kClasses = kStatusClasses.size();
  static constexpr size_t kTokens = kTokenTypes.size();

  prometheus::Counter& rpcs(Method method, int model, int code) {
    return *rpcs_[Index(method)][model][code];
  }
  prometheus::Histogram& rpc_duration(Method method, int model) {
    return *rpc_duration_[Index(method)][model];
  }
  prometheus::Gauge& rpcs_in_flight(Method method) { return *rpcs_in_flight_[Index(method)]; }
  prometheus::Histogram& time_to_first_token(int model) { return *time_to_first_token_[model]; }
  prometheus::Histogram& time_between_chunks(int model) { return *time_between_chunks_[model]; }
  // The bucket boundaries of time_between_chunks, for recording in batches.
  static const prometheus::Histogram::BucketBoundaries& chunk_gap_buckets();
  prometheus::Counter& tokens(int model, int type) { return *tokens_[model][type]; }
  // type: 0 prompt, 1 completion (input and output, as OpenTelemetry's gen_ai.token.type).
  prometheus::Histogram& tokens_per_request(int model, int type) {
    return *tokens_per_request_[model][type];
  }
  prometheus::Counter& errors(int model, int type) { return *errors_[model][type]; }
  prometheus::Counter& client_cancels(Method method, int model) {
    return *client_cancels_[Index(method)][model];
  }
  prometheus::Histogram& upstream_duration(int model, int status_class) {
    return *upstream_duration_[model][status_class];
  }
  prometheus::Counter& upstream_attempts(int model, int status_class) {
    return *upstream_attempts_[model][status_class];
  }
  prometheus::Counter& upstream_retries(int reason) { return *upstream_retries_[reason]; }
  // Base URL `index` (of AddBaseUrls) was taken out of rotation.
  prometheus::Counter& upstream_ejections(size_t index) { return *upstream_ejections_.at(index); }

  // The series of one client (label `client`), created on its first RPC;
  // see kMaxClientLabels. Takes a lock: call once per RPC, not per chunk.
  struct ClientSeries {
    std::array<prometheus::Counter*, kCodes> rpcs{};
    std::array<prometheus::Counter*, kQuotaLimits.size()> quota_rejections{};
    prometheus::Counter* tokens = nullptr;  // prompt + completion
  };
  ClientSeries& client(absl::string_view name);

  // subject indexes kValidationSubjects, outcome kValidationOutcomes; null
  // for the one combination that cannot happen (content, unknown_tool).
  prometheus::Counter* validations(int model, int subject, int outcome) {
    return validations_[model][subject][outcome];
  }

 private:
  static size_t Index(Method method) { return static_cast<size_t>(method); }

  std::shared_ptr<prometheus::Registry> registry_;
  std::function<double()> open_transfers_source_;
  prometheus::Gauge* open_transfers_ = nullptr;
  std::array<std::array<std::array<prometheus::Counter*, kCodes>, kModels>, kMethods> rpcs_{};
  std::array<std::array<prometheus::Histogram*, kModels>, kMethods> rpc_duration_{};
  std::array<prometheus::Gauge*, kMethods> rpcs_in_flight_{};
  std::array<prometheus::Histogram*, kModels> time_to_first_token_{};
  std::array<prometheus::Histogram*, kModels> time_between_chunks_{};
  std::array<std::array<prometheus::Counter*, kTokens>, kModels> tokens_{};
  std::array<std::array<prometheus::Histogram*, 2>, kModels> tokens_per_request_{};
  std::array<std::array<prometheus::Counter*, kErrors>, kModels> errors_{};
  std::array<std::array<prometheus::Counter*, kModels>, kMethods> client_cancels_{};
  std::array<std::array<prometheus::Histogram*, kClasses>, kModels> upstream_duration_{};
  std::array<std::array<prometheus::Counter*, kClasses>, kModels> upstream_attempts_{};
  std::array<prometheus::Counter*, kRetryReasons.size()> upstream_retries_{};
  std::function<bool(size_t)> ejected_source_;
  std::vector<prometheus::Gauge*> base_url_ejected_;
  std::vector<prometheus::Counter*> upstream_ejections_;
  prometheus::Family<prometheus::Counter>* client_rpcs_ = nullptr;
  prometheus::Family<prometheus::Counter>* client_quota_rejections_ = nullptr;
  prometheus::Family<prometheus::Counter>* client_tokens_ = nullptr;
  absl::Mutex clients_mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<ClientSeries>> clients_
      ABSL_GUARDED_BY(clients_mu_);

  std::array<std::array<std::array<prometheus::Counter*, kValidationOutcomes.size()>,
                        kValidationSubjects.size()>,
             kModels>
      validations_{};
};

}  // namespace seedgate::metrics

#endif  // SEEDGATE_SERVER_METRICS_SEEDGATE_METRICS_H_
