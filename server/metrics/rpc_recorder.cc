#include "server/metrics/rpc_recorder.h"

#include <algorithm>

#include "google/rpc/error_details.pb.h"
#include "server/translate/status_details.h"

namespace seedgate::metrics {
namespace {

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

}  // namespace

RpcRecorder::RpcRecorder(SeedgateMetrics* metrics, Method method, absl::string_view requested_model,
                         AccessLog* access_log)
    : metrics_(metrics),
      access_log_(access_log),
      method_(method),
      model_(method == Method::kListModels ? kModelNone : ModelIndex(requested_model)),
      start_(absl::Now()) {
  if (metrics_ != nullptr) metrics_->rpcs_in_flight(method_).Increment();
  if (access_log_ != nullptr) {
    entry_.start = start_;
    entry_.method = kMethodNames[static_cast<size_t>(method)];
    entry_.model = std::string(requested_model);
  }
}

void RpcRecorder::SetClient(absl::string_view name) {
  entry_.client = std::string(name);
  if (metrics_ != nullptr) client_series_ = &metrics_->client(name);
}

void RpcRecorder::OnTokensSent() {
  absl::Time now = absl::Now();
  if (!sent_tokens_) {
    entry_.time_to_first_token = now - start_;
    if (metrics_ != nullptr) metrics_->time_to_first_token(model_).Observe(Seconds(now - start_));
  } else if (metrics_ != nullptr) {
    const auto& bounds = SeedgateMetrics::chunk_gap_buckets();
    if (gap_counts_.empty()) gap_counts_.assign(bounds.size() + 1, 0);
    double gap = Seconds(now - last_tokens_sent_);
    // Prometheus buckets are "less than or equal": the first bound >= gap.
    gap_counts_[std::lower_bound(bounds.begin(), bounds.end(), gap) - bounds.begin()] += 1;
    gap_sum_ += gap;
  }
  sent_tokens_ = true;
  last_tokens_sent_ = now;
}

void RpcRecorder::OnUsage(const v1::Usage& usage) {
  has_usage_ = true;
  usage_ = usage;
}

int64_t RpcRecorder::total_tokens() const {
  return has_usage_ ? usage_.prompt_tokens() + usage_.completion_tokens() : 0;
}

void RpcRecorder::OnValidation(int subject, int outcome) {
  if (metrics_ == nullptr || model_ == kModelNone) return;
  if (prometheus::Counter* counter = metrics_->validations(model_, subject, outcome)) {
    counter->Increment();
  }
}

void RpcRecorder::Finish(const absl::Status& status, absl::Time deadline) {
  if (finished_) return;
  finished_ = true;
  absl::Time now = absl::Now();
  absl::StatusCode code = status.code();
  int error_type = status.ok() ? -1 : ErrorTypeOf(status);
  // gRPC ends an RPC whose deadline passed by cancelling it; the caller sees
  // DEADLINE_EXCEEDED, and so do the metrics. gRPC's deadline timer and its
  // context->deadline() disagree by a few milliseconds (measured: the cancel
  // came 6 ms "early"), hence the margin.
  constexpr absl::Duration kDeadlineMargin = absl::Milliseconds(100);
  if (code == absl::StatusCode::kCancelled && now + kDeadlineMargin >= deadline) {
    code = absl::StatusCode::kDeadlineExceeded;
    error_type = ErrorTypeIndex("deadline");
  }
  if (access_log_ != nullptr) {
    entry_.code = static_cast<int>(code);
    entry_.duration = now - start_;
    google::rpc::ErrorInfo info;
    if (!status.ok() && translate::GetDetail(status, &info)) entry_.error_reason = info.reason();
    if (has_usage_) {
      entry_.prompt_tokens = usage_.prompt_tokens();
      entry_.completion_tokens = usage_.completion_tokens();
    }
    access_log_->Write(entry_);
  }
  if (metrics_ == nullptr) return;
  metrics_->rpcs(method_, model_, static_cast<int>(code)).Increment();
  SeedgateMetrics::ClientSeries* client =
      client_series_ != nullptr ? client_series_ : &metrics_->client("unauthenticated");
  client->rpcs[static_cast<int>(code)]->Increment();
  if (has_usage_) client->tokens->Increment(static_cast<double>(total_tokens()));
  if (!gap_counts_.empty()) {
    metrics_->time_between_chunks(model_).ObserveMultiple(gap_counts_, gap_sum_);
  }
  metrics_->rpc_duration(method_, model_).Observe(Seconds(now - start_));
  if (error_type == ErrorTypeIndex("cancelled") || error_type == ErrorTypeIndex("deadline")) {
    metrics_->client_cancels(method_, model_).Increment();
  }
  if (model_ != kModelNone) RecordModelSeries(error_type);
  // Last: once the RPC no longer counts as in flight, everything it recorded
  // is visible to a scrape.
  metrics_->rpcs_in_flight(method_).Decrement();
}

void RpcRecorder::RecordModelSeries(int error_type) {
  if (error_type >= 0) metrics_->errors(model_, error_type).Increment();
  if (has_usage_) {
    const int64_t counts[] = {usage_.prompt_tokens(), usage_.completion_tokens(),
                              usage_.completion_tokens_details().reasoning_tokens(),
                              usage_.prompt_tokens_details().cached_tokens()};
    for (int type = 0; type < 4; ++type) {
      if (counts[type] > 0) metrics_->tokens(model_, type).Increment(counts[type]);
    }
    metrics_->tokens_per_request(model_, 0).Observe(counts[0]);
    metrics_->tokens_per_request(model_, 1).Observe(counts[1]);
  }
}

void RpcRecorder::OnAttemptDone(const upstream::AttemptReport& report) {
  if (access_log_ != nullptr) {
    ++entry_.upstream_attempts;
    if (report.retried) ++entry_.upstream_retries;
    entry_.upstream_status = report.http_status;
    entry_.upstream_base_url = report.base_url;
    if (!report.request_id.empty()) entry_.upstream_request_id = report.request_id;
  }
  if (metrics_ == nullptr || model_ == kModelNone) return;
  int status_class = StatusClassIndex(report.http_status, report.transport_error, report.cancelled);
  metrics_->upstream_attempts(model_, status_class).Increment();
  metrics_->upstream_duration(model_, status_class).Observe(Seconds(report.duration));
  if (report.retried) {
    metrics_->upstream_retries(static_cast<int>(report.retry_reason)).Increment();
  }
}

bool CarriesTokens(const v1::ChatCompletionChunk& chunk) {
  for (const v1::ChunkChoice& choice : chunk.choices()) {
    const v1::Delta& delta = choice.delta();
    if (!delta.content().empty() || !delta.reasoning_content().empty() ||
        delta.tool_calls_size() > 0) {
      return true;
    }
  }
  return false;
}

}  // namespace seedgate::metrics
