#include "bench/load/load.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace seedgate::bench {
namespace {

std::chrono::nanoseconds Seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

// "p50":..., in microseconds with 1 decimal.
std::string PercentilesJson(const Histogram& h) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"count\":%lld,\"mean\":%.1f,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,"
                "\"p999\":%.1f,\"max\":%.1f}",
                static_cast<long long>(h.count()), h.mean() / 1e3, h.Quantile(0.5) / 1e3,
                h.Quantile(0.9) / 1e3, h.Quantile(0.99) / 1e3, h.Quantile(0.999) / 1e3,
                h.max() / 1e3);
  return buf;
}

std::string PercentilesText(const char* name, const Histogram& h) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "  %-22s n=%-9lld p50 %9.1f  p90 %9.1f  p99 %9.1f  p99.9 %9.1f  max %9.1f  "
                "(us)\n",
                name, static_cast<long long>(h.count()), h.Quantile(0.5) / 1e3,
                h.Quantile(0.9) / 1e3, h.Quantile(0.99) / 1e3, h.Quantile(0.999) / 1e3,
                h.max() / 1e3);
  return buf;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string LoadOptions::Prompt() const {
  std::ostringstream p;
  p << "seedgate-bench #fake:number_tokens=1 #fake:tokens=" << tokens;
  if (delay_ms > 0) p << " #fake:delay_ms=" << delay_ms;
  if (streaming()) p << " #fake:stamp_tokens=1";
  return p.str();
}

void TokenChecker::OnText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n') ++j;
    if (j > i) OnToken(text.substr(i, j - i));
    i = j;
  }
}

namespace {

// Parses a non-empty run of decimal digits.
std::optional<int64_t> ParseDecimal(std::string_view digits) {
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

void TokenChecker::OnToken(std::string_view token) {
  if (size_t at = token.find('@'); at != std::string_view::npos) {
    std::optional<int64_t> stamp = ParseDecimal(token.substr(at + 1));
    if (!stamp) {
      ++garbage_;
      return;
    }
    stamp_ns_ = stamp;
    token = token.substr(0, at);
  }
  std::optional<int64_t> number =
      token.size() >= 2 && token[0] == 't' ? ParseDecimal(token.substr(1)) : std::nullopt;
  if (!number) {
    ++garbage_;
    return;
  }
  const int64_t k = *number;
  if (k == next_) {
    ++next_;
  } else if (k > next_) {  // a gap: the tokens in between are lost (or come later)
    lost_ += k - next_;
    ++out_of_order_;
    next_ = k + 1;
  } else {  // an earlier token again: reordered or duplicated
    ++out_of_order_;
  }
}

Schedule::Schedule(const LoadOptions& options) : options_(options) {
  start_ = Clock::now();
  measure_start_ = start_ + Seconds(options.warmup_s);
  end_ = measure_start_ + Seconds(options.duration_s);
}

bool Schedule::ClaimNext(Clock::time_point now) {
  if (now >= end_) return false;
  if (options_.total <= 0) {
    issued_.fetch_add(1);
    return true;
  }
  int64_t n = issued_.load();
  while (n < options_.total) {
    if (issued_.compare_exchange_weak(n, n + 1)) return true;
  }
  return false;
}

void Recorder::CallStarted() {
  int64_t n = in_flight_.fetch_add(1) + 1;
  int64_t peak = peak_in_flight_.load();
  while (n > peak && !peak_in_flight_.compare_exchange_weak(peak, n)) {
  }
}

void Recorder::CallEnded() {
  if (in_flight_.fetch_sub(1) == 1) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.notify_all();
  }
}

void Recorder::IssuingDone() {
  std::lock_guard<std::mutex> lock(mu_);
  issuing_done_ = true;
  idle_.notify_all();
}

bool Recorder::WaitIdle(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_.wait_until(lock, deadline, [&] { return issuing_done_ && in_flight_.load() == 0; });
}

void Recorder::OnCallDone(const CallOutcome& outcome) {
  bool whole = outcome.error.empty() && outcome.tokens.Whole(options_.tokens);
  if (outcome.measured && outcome.error.empty()) latency_.Record(outcome.latency_ns);
  std::lock_guard<std::mutex> lock(mu_);
  ++calls_;
  if (!outcome.measured) ++unmeasured_;
  chunks_ += outcome.chunks;
  if (outcome.error.empty()) {
    ++ok_;
    if (whole) {
      ++streams_whole_;
    } else {
      ++answers_not_whole_;  // OK status, yet tokens missing, reordered or unreadable
    }
  } else {
    ++errors_[outcome.error];
  }
  tokens_lost_ += outcome.tokens.lost();
  tokens_out_of_order_ += outcome.tokens.out_of_order();
  tokens_garbage_ += outcome.tokens.garbage();
  if (outcome.error.empty() && outcome.tokens.next() < options_.tokens) {
    tokens_lost_ += options_.tokens - outcome.tokens.next();  // the end never came
  }
  last_done_ = Clock::now();
}

bool Recorder::Report(const Schedule& schedule, double bench_cpu_s, bool drained) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t errors = 0;
  for (const auto& [code, n] : errors_) errors += n;
  errors += dropped_.load();
  // Throughput: measured successes over the window (or, when --total ends the
  // run first, up to the last completion).
  Clock::time_point window_end = schedule.end();
  if (options_.total > 0 && last_done_ < window_end && last_done_ > schedule.measure_start()) {
    window_end = last_done_;
  }
  double window_s = std::chrono::duration<double>(window_end - schedule.measure_start()).count();
  double throughput = window_s > 0 ? static_cast<double>(latency_.count()) / window_s : 0;
  double wall_s = std::chrono::duration<double>(Clock::now() - schedule.start()).count();
  const char* mode = options_.open_loop() ? "open" : "closed";

  std::printf("seedgate-bench %s %s %s-loop %s target %s\n", options_.label.c_str(),
              options_.protocol.c_str(), mode, options_.rpc.c_str(), options_.target.c_str());
  if (options_.open_loop()) {
    std::printf("  offered %.0f calls/s", options_.rate);
  } else {
    std::printf("  concurrency %d", options_.concurrency);
  }
  std::printf(", warm-up %.1f s, window %.2f s, tokens %d, delay %d ms\n", options_.warmup_s,
              window_s, options_.tokens, options_.delay_ms);
  std::printf(
      "  calls %lld (warm-up %lld), ok %lld, errors %lld, dropped (over --max_in_flight) %lld\n",
      static_cast<long long>(calls_), static_cast<long long>(unmeasured_),
      static_cast<long long>(ok_), static_cast<long long>(errors),
      static_cast<long long>(dropped_.load()));
  for (const auto& [code, n] : errors_) {
    std::printf("    error %-40s %lld\n", code.c_str(), static_cast<long long>(n));
  }
  std::printf("  throughput %.1f calls/s (measured ok), peak in flight %lld, bench CPU %.2f s\n",
              throughput, static_cast<long long>(peak_in_flight_.load()), bench_cpu_s);
  std::fputs(PercentilesText("latency", latency_).c_str(), stdout);
  if (options_.streaming()) {
    std::fputs(PercentilesText("time to first chunk", ttfc_).c_str(), stdout);
    std::fputs(PercentilesText("gap between chunks", gap_).c_str(), stdout);
    std::fputs(PercentilesText("chunk delay", delay_).c_str(), stdout);
  }
  if (options_.open_loop()) std::fputs(PercentilesText("pacer lag", pacer_lag_).c_str(), stdout);
  std::printf(
      "  answers whole %lld, ok-but-not-whole %lld, chunks %lld, tokens lost %lld, "
      "out of order %lld, unreadable %lld%s\n",
      static_cast<long long>(streams_whole_), static_cast<long long>(answers_not_whole_),
      static_cast<long long>(chunks_), static_cast<long long>(tokens_lost_),
      static_cast<long long>(tokens_out_of_order_), static_cast<long long>(tokens_garbage_),
      drained ? "" : "  [NOT DRAINED: calls still in flight at the end]");

  bool pass = drained && errors == 0 && answers_not_whole_ == 0 && tokens_lost_ == 0 &&
              tokens_out_of_order_ == 0 && tokens_garbage_ == 0 && ok_ > 0;

  if (!options_.json_out.empty()) {
    std::ostringstream j;
    j << "{\"label\":" << JsonString(options_.label)
      << ",\"protocol\":" << JsonString(options_.protocol)
      << ",\"rpc\":" << JsonString(options_.rpc) << ",\"mode\":\"" << mode << "\""
      << ",\"target\":" << JsonString(options_.target)
      << ",\"concurrency\":" << options_.concurrency << ",\"rate\":" << options_.rate
      << ",\"warmup_s\":" << options_.warmup_s << ",\"window_s\":" << window_s
      << ",\"wall_s\":" << wall_s << ",\"tokens\":" << options_.tokens
      << ",\"delay_ms\":" << options_.delay_ms << ",\"calls\":" << calls_
      << ",\"warmup_calls\":" << unmeasured_ << ",\"ok\":" << ok_ << ",\"errors\":" << errors
      << ",\"dropped\":" << dropped_.load() << ",\"errors_by_code\":{";
    bool first = true;
    for (const auto& [code, n] : errors_) {
      j << (first ? "" : ",") << JsonString(code) << ":" << n;
      first = false;
    }
    j << "},\"throughput\":" << throughput << ",\"peak_in_flight\":" << peak_in_flight_.load()
      << ",\"bench_cpu_s\":" << bench_cpu_s << ",\"latency_us\":" << PercentilesJson(latency_)
      << ",\"ttfc_us\":" << PercentilesJson(ttfc_) << ",\"gap_us\":" << PercentilesJson(gap_)
      << ",\"delay_us\":" << PercentilesJson(delay_)
      << ",\"pacer_lag_us\":" << PercentilesJson(pacer_lag_)
      << ",\"answers_whole\":" << streams_whole_ << ",\"answers_not_whole\":" << answers_not_whole_
      << ",\"chunks\":" << chunks_ << ",\"tokens_lost\":" << tokens_lost_
      << ",\"tokens_out_of_order\":" << tokens_out_of_order_
      << ",\"tokens_unreadable\":" << tokens_garbage_
      << ",\"drained\":" << (drained ? "true" : "false")
      << ",\"pass\":" << (pass ? "true" : "false") << "}\n";
    std::ofstream(options_.json_out) << j.str();
  }
  return pass;
}

}  // namespace seedgate::bench
