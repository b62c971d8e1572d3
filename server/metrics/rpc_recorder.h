#ifndef SEEDGATE_SERVER_METRICS_RPC_RECORDER_H_
#define SEEDGATE_SERVER_METRICS_RPC_RECORDER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "seedgate/v1/chat.pb.h"
#include "server/metrics/access_log.h"
#include "server/metrics/seedgate_metrics.h"
#include "server/upstream/chat_client.h"

namespace seedgate::metrics {

// Everything one RPC contributes to the metrics and the access log, recorded
// as it happens and settled once in Finish. Not thread-safe: the reactor that
// owns it calls it from one thread at a time. A null `metrics` records no
// metrics; a null `access_log` writes no line.
class RpcRecorder final : public upstream::AttemptObserver {
 public:
  RpcRecorder(SeedgateMetrics* metrics, Method method, absl::string_view requested_model,
              AccessLog* access_log = nullptr);
  RpcRecorder(const RpcRecorder&) = delete;
  RpcRecorder& operator=(const RpcRecorder&) = delete;

  // Who is calling, once authenticated (never a credential).
  void SetClient(absl::string_view name);

  // Whether SetRequestContent / AddResponseContent are wanted (--log_content).
  bool wants_content() const { return access_log_ != nullptr && access_log_->log_content(); }
  void SetRequestContent(std::string request) { entry_.request_content = std::move(request); }
  void AddResponseContent(absl::string_view text) {
    entry_.response_content.append(text.data(), text.size());
  }

  // Streaming: a chunk carrying content, reasoning or tool-call tokens was
  // handed to gRPC for the client. The first is observed at once (time to
  // first token); the gaps between the rest are counted here and added to the
  // shared histogram in one step at Finish, so that a stream of thousands of
  // chunks takes the histogram's lock once, not once per chunk.
  void OnTokensSent();

  // The upstream's latest (cumulative) usage. Kept until Finish, so that a
  // stream cancelled midway still counts the tokens already known.
  void OnUsage(const v1::Usage& usage);
  // Prompt + completion tokens of the usage seen so far.
  int64_t total_tokens() const;

  // One check of the answer against the request's schemas: subject indexes
  // kValidationSubjects, outcome kValidationOutcomes. Counted at once.
  void OnValidation(int subject, int outcome);

  // The RPC's outcome. A cancellation after the RPC's deadline counts as the
  // deadline expiring. Call once.
  void Finish(const absl::Status& status, absl::Time deadline);

  // upstream::AttemptObserver. Runs on the upstream loop's driver, always
  // before the call's completion reaches the reactor (and so before Finish);
  // it touches only the upstream fields of the entry.
  void OnAttemptDone(const upstream::AttemptReport& report) override;

 private:
  // Errors and tokens: only for RPCs that involve a model.
  void RecordModelSeries(int error_type);

  SeedgateMetrics* const metrics_;
  AccessLog* const access_log_;
  const Method method_;
  const int model_;
  const absl::Time start_;
  SeedgateMetrics::ClientSeries* client_series_ = nullptr;
  absl::Time last_tokens_sent_;
  bool sent_tokens_ = false;
  std::vector<double> gap_counts_;  // per bucket of chunk_gap_buckets(), +Inf last
  double gap_sum_ = 0;
  bool has_usage_ = false;
  v1::Usage usage_;
  bool finished_ = false;
  AccessLogEntry entry_;
};

// Whether a chunk carries tokens (content, reasoning or tool-call pieces).
bool CarriesTokens(const v1::ChatCompletionChunk& chunk);

}  // namespace seedgate::metrics

#endif  // SEEDGATE_SERVER_METRICS_RPC_RECORDER_H_
