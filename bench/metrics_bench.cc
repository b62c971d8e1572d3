// Does recording metrics serialise the hot path? prometheus-cpp's Histogram
// takes a mutex per Observe; every RPC observes a few. This measures one
// histogram shared by 1..N threads (the worst case: every RPC of one model)
// against a counter (an atomic add), and a whole RpcRecorder lifetime.

#include <benchmark/benchmark.h>

#include "server/metrics/rpc_recorder.h"
#include "server/metrics/seedgate_metrics.h"

namespace seedgate::metrics {
namespace {

SeedgateMetrics& Metrics() {
  static auto* metrics = new SeedgateMetrics();
  return *metrics;
}

void BM_HistogramObserve(benchmark::State& state) {
  prometheus::Histogram& histogram = Metrics().time_to_first_token(0);
  double value = 0.001 * (state.thread_index() + 1);
  for (auto _ : state) histogram.Observe(value);
}
BENCHMARK(BM_HistogramObserve)->ThreadRange(1, 8)->UseRealTime();

void BM_CounterIncrement(benchmark::State& state) {
  prometheus::Counter& counter = Metrics().tokens(0, 0);
  for (auto _ : state) counter.Increment(3);
}
BENCHMARK(BM_CounterIncrement)->ThreadRange(1, 8)->UseRealTime();

// What one streaming RPC of 100 token chunks costs in metrics, all told.
void BM_StreamingRpcRecording(benchmark::State& state) {
  v1::Usage usage;
  usage.set_prompt_tokens(20);
  usage.set_completion_tokens(100);
  for (auto _ : state) {
    RpcRecorder recorder(&Metrics(), Method::kStreamChatCompletion, "doubao-seed-2.0-pro");
    for (int i = 0; i < 100; ++i) recorder.OnTokensSent();
    recorder.OnUsage(usage);
    upstream::AttemptReport report;
    report.http_status = 200;
    recorder.OnAttemptDone(report);
    recorder.Finish(absl::OkStatus(), absl::InfiniteFuture());
  }
}
BENCHMARK(BM_StreamingRpcRecording)->ThreadRange(1, 4)->UseRealTime();

}  // namespace
}  // namespace seedgate::metrics

BENCHMARK_MAIN();
