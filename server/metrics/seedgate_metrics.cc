#include "server/metrics/seedgate_metrics.h"

#include <string>

namespace seedgate::metrics {
namespace {

using prometheus::Histogram;

// Whole calls and upstream requests: milliseconds to the ten minutes a long
// reasoning answer may take.
const Histogram::BucketBoundaries kDurationBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640};
// OpenTelemetry's advice for gen_ai.server.time_to_first_token, extended for
// thinking models that reason for a while before the first token.
const Histogram::BucketBoundaries kFirstTokenBuckets = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08,
                                                        0.1,   0.25,  0.5,  0.75, 1.0,  2.5,  5.0,
                                                        7.5,   10,    20,   40,   80};
// OpenTelemetry's advice for gen_ai.server.time_per_output_token, widened.
const Histogram::BucketBoundaries kChunkGapBuckets = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5, 10};
// OpenTelemetry's advice for gen_ai.client.token.usage, up to a 256k context.
const Histogram::BucketBoundaries kTokenBuckets = {1,    4,    16,    64,    256,
                                                   1024, 4096, 16384, 65536, 262144};

std::string S(absl::string_view value) { return std::string(value); }

}  // namespace

SeedgateMetrics::SeedgateMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  auto& rpcs = prometheus::BuildCounter()
                   .Name("seedgate_rpcs_total")
                   .Help("Finished RPCs by method, model and gRPC status code.")
                   .Register(*registry_);
  auto& rpc_duration = prometheus::BuildHistogram()
                           .Name("seedgate_rpc_duration_seconds")
                           .Help("RPC duration, from its start to its status, by method and model.")
                           .Register(*registry_);
  auto& in_flight = prometheus::BuildGauge()
                        .Name("seedgate_rpcs_in_flight")
                        .Help("RPCs started and not yet finished, by method.")
                        .Register(*registry_);
  auto& cancels = prometheus::BuildCounter()
                      .Name("seedgate_client_cancellations_total")
                      .Help(
                          "RPCs the caller cancelled (or whose deadline expired) before they "
                          "finished; their upstream calls were aborted.")
                      .Register(*registry_);
  for (size_t method = 0; method < kMethods; ++method) {
    rpcs_in_flight_[method] = &in_flight.Add({{"method", S(kMethodNames[method])}});
    for (size_t model = 0; model < kModels; ++model) {
      // ListModels involves no model; the chat RPCs always have one.
      bool is_list = method == static_cast<size_t>(Method::kListModels);
      if (is_list != (model == kModelNone)) continue;
      prometheus::Labels labels = {{"method", S(kMethodNames[method])},
                                   {"model", S(kModelNames[model])}};
      rpc_duration_[method][model] = &rpc_duration.Add(labels, kDurationBuckets);
      client_cancels_[method][model] = &cancels.Add(labels);
      for (size_t code = 0; code < kCodes; ++code) {
        prometheus::Labels with_code = labels;
        with_code["code"] = S(kCodeNames[code]);
        rpcs_[method][model][code] = &rpcs.Add(with_code);
      }
    }
  }

  auto& first_token =
      prometheus::BuildHistogram()
          .Name("seedgate_time_to_first_token_seconds")
          .Help("Streaming: from the RPC's start to the first content or reasoning token sent.")
          .Register(*registry_);
  auto& chunk_gap = prometheus::BuildHistogram()
                        .Name("seedgate_time_between_output_chunks_seconds")
                        .Help("Streaming: time between successive token-bearing chunks sent.")
                        .Register(*registry_);
  auto& tokens = prometheus::BuildCounter()
                     .Name("seedgate_tokens_total")
                     .Help(
                         "Tokens by model and type (prompt, completion, reasoning, cached), "
                         "from upstream usage, cancelled streams included.")
                     .Register(*registry_);
  auto& per_request = prometheus::BuildHistogram()
                          .Name("seedgate_tokens_per_request")
                          .Help("Tokens of one request by model and type (prompt, completion).")
                          .Register(*registry_);
  auto& errors = prometheus::BuildCounter()
                     .Name("seedgate_errors_total")
                     .Help("Failed RPCs by model and error type.")
                     .Register(*registry_);
  auto& upstream_duration = prometheus::BuildHistogram()
                                .Name("seedgate_upstream_request_duration_seconds")
                                .Help("One upstream HTTP request, by model and response class.")
                                .Register(*registry_);
  auto& attempts = prometheus::BuildCounter()
                       .Name("seedgate_upstream_attempts_total")
                       .Help("Upstream HTTP requests made, by model and response class.")
                       .Register(*registry_);
  auto& validations =
      prometheus::BuildCounter()
          .Name("seedgate_schema_validations_total")
          .Help(
              "Answer checks against the request's schemas, by model, subject (tool_arguments: "
              "one tool call's arguments; content: a choice's json_object/json_schema content) "
              "and outcome (valid, invalid_json, schema_violation, unknown_tool).")
          .Register(*registry_);
  for (size_t model = 0; model < kModels; ++model) {
    if (model == kModelNone) continue;
    prometheus::Labels labels = {{"model", S(kModelNames[model])}};
    for (size_t subject = 0; subject < kValidationSubjects.size(); ++subject) {
      for (size_t outcome = 0; outcome < kValidationOutcomes.size(); ++outcome) {
        // Only a tool call can name an unknown tool.
        bool is_content = kValidationSubjects[subject] == "content";
        if (is_content && static_cast<int>(outcome) == kValidationOutcomeUnknownTool) continue;
        validations_[model][subject][outcome] =
            &validations.Add({{"model", S(kModelNames[model])},
                              {"subject", S(kValidationSubjects[subject])},
                              {"outcome", S(kValidationOutcomes[outcome])}});
      }
    }
    time_to_first_token_[model] = &first_token.Add(labels, kFirstTokenBuckets);
    time_between_chunks_[model] = &chunk_gap.Add(labels, kChunkGapBuckets);
    for (size_t type = 0; type < kTokens; ++type) {
      tokens_[model][type] =
          &tokens.Add({{"model", S(kModelNames[model])}, {"type", S(kTokenTypes[type])}});
    }
    for (size_t type = 0; type < 2; ++type) {
      tokens_per_request_[model][type] = &per_request.Add(
          {{"model", S(kModelNames[model])}, {"type", S(kTokenTypes[type])}}, kTokenBuckets);
    }
    for (size_t type = 0; type < kErrors; ++type) {
      errors_[model][type] =
          &errors.Add({{"model", S(kModelNames[model])}, {"type", S(kErrorTypes[type])}});
    }
    for (size_t cls = 0; cls < kClasses; ++cls) {
      prometheus::Labels with_class = {{"model", S(kModelNames[model])},
                                       {"status_class", S(kStatusClasses[cls])}};
      upstream_duration_[model][cls] = &upstream_duration.Add(with_class, kDurationBuckets);
      upstream_attempts_[model][cls] = &attempts.Add(with_class);
    }
  }

  auto& retries = prometheus::BuildCounter()
                      .Name("seedgate_upstream_retries_total")
                      .Help("Upstream requests made again, by reason.")
                      .Register(*registry_);
  for (size_t reason = 0; reason < kRetryReasons.size(); ++reason) {
    upstream_retries_[reason] = &retries.Add({{"reason", S(kRetryReasons[reason])}});
  }
  client_rpcs_ = &prometheus::BuildCounter()
                      .Name("seedgate_client_rpcs_total")
                      .Help("Finished RPCs by client and gRPC status code.")
                      .Register(*registry_);
  client_quota_rejections_ = &prometheus::BuildCounter()
                                  .Name("seedgate_client_quota_rejections_total")
                                  .Help(
                                      "RPCs refused because a client was past a limit, by "
                                      "client and limit.")
                                  .Register(*registry_);
  client_tokens_ = &prometheus::BuildCounter()
                        .Name("seedgate_client_tokens_total")
                        .Help("Upstream tokens (prompt + completion) by client.")
                        .Register(*registry_);
  open_transfers_ = &prometheus::BuildGauge()
                         .Name("seedgate_upstream_transfers_open")
                         .Help("Upstream HTTP requests in progress.")
                         .Register(*registry_)
                         .Add({});
}

SeedgateMetrics::ClientSeries& SeedgateMetrics::client(absl::string_view name) {
  absl::MutexLock lock(&clients_mu_);
  auto it = clients_.find(name);
  if (it != clients_.end()) return *it->second;
  // Past the cap every new name shares "other" (itself one more entry).
  const std::string label =
      clients_.size() < kMaxClientLabels || name == "other" ? std::string(name) : "other";
  if (label != name) {
    it = clients_.find(label);
    if (it != clients_.end()) return *it->second;
  }
  auto series = std::make_unique<ClientSeries>();
  for (size_t code = 0; code < kCodes; ++code) {
    series->rpcs[code] = &client_rpcs_->Add({{"client", label}, {"code", S(kCodeNames[code])}});
  }
  for (size_t limit = 0; limit < kQuotaLimits.size(); ++limit) {
    series->quota_rejections[limit] =
        &client_quota_rejections_->Add({{"client", label}, {"limit", S(kQuotaLimits[limit])}});
  }
  series->tokens = &client_tokens_->Add({{"client", label}});
  return *clients_.emplace(label, std::move(series)).first->second;
}

const prometheus::Histogram::BucketBoundaries& SeedgateMetrics::chunk_gap_buckets() {
  return kChunkGapBuckets;
}

void SeedgateMetrics::AddBaseUrls(const std::vector<std::string>& base_urls,
                                  std::function<bool(size_t index)> ejected_source) {
  auto& ejected = prometheus::BuildGauge()
                      .Name("seedgate_upstream_base_url_ejected")
                      .Help(
                          "1 while an upstream base URL is ejected for failing (outlier "
                          "detection), else 0.")
                      .Register(*registry_);
  auto& ejections = prometheus::BuildCounter()
                        .Name("seedgate_upstream_ejections_total")
                        .Help("Times an upstream base URL was ejected for failing.")
                        .Register(*registry_);
  for (const std::string& url : base_urls) {
    base_url_ejected_.push_back(&ejected.Add({{"base_url", url}}));
    upstream_ejections_.push_back(&ejections.Add({{"base_url", url}}));
  }
  ejected_source_ = std::move(ejected_source);
}

std::vector<prometheus::MetricFamily> SeedgateMetrics::Collect() const {
  if (open_transfers_source_) open_transfers_->Set(open_transfers_source_());
  if (ejected_source_) {
    for (size_t i = 0; i < base_url_ejected_.size(); ++i) {
      base_url_ejected_[i]->Set(ejected_source_(i) ? 1 : 0);
    }
  }
  return registry_->Collect();
}

}  // namespace seedgate::metrics
