// The HTTP driver: POST /v1/chat/completions straight to the emulator (the
// floor) or to a reverse proxy in front of it. One thread runs a libcurl
// multi loop; HTTP/1.1 keep-alive connections are reused (one per call in
// flight). Open loop: a timerfd wakes the loop at each call's scheduled time.
#include <curl/curl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

#include "bench/load/drivers.h"
#include "server/upstream/sse_parser.h"

namespace seedgate::bench {
namespace {

struct Transfer {
  CURL* easy = nullptr;
  Clock::time_point intended, last_chunk;
  bool measured = false;
  bool done_event = false;  // data: [DONE] seen
  std::string body;         // unary answer
  upstream::SseParser sse;
  CallOutcome outcome;
};

class HttpLoad {
 public:
  HttpLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder)
      : options_(options), schedule_(schedule), recorder_(recorder) {
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                      static_cast<long>(std::max(options.concurrency, options.max_in_flight)));
    nlohmann::json body = {
        {"model", options.model},
        {"stream", options.streaming()},
        {"messages", nlohmann::json::array({{{"role", "user"}, {"content", options.Prompt()}}})}};
    body_ = body.dump();
    url_ = options.target + "/v1/chat/completions";
    headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + options.api_key).c_str());
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Expect:");
    timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  }

  ~HttpLoad() {
    for (Transfer* t : idle_) {
      curl_easy_cleanup(t->easy);
      delete t;
    }
    curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
    close(timer_fd_);
  }

  bool Run() {
    auto interval = options_.open_loop() ? std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(1.0 / options_.rate))
                                         : Clock::duration::zero();
    Clock::time_point next_due = schedule_.start();
    int64_t paced = 0;
    bool pacing = options_.open_loop();
    if (!pacing) {
      Clock::time_point now = Clock::now();
      for (int i = 0; i < options_.concurrency && schedule_.ClaimNext(now); ++i) Issue(now);
    }
    auto drain = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options_.drain_s));
    while (true) {
      Clock::time_point now = Clock::now();
      while (pacing && next_due <= now) {
        if (next_due >= schedule_.end() || (options_.total > 0 && paced >= options_.total)) {
          pacing = false;
          break;
        }
        if (schedule_.Measured(next_due)) recorder_.OnPacerLag(Ns(now - next_due));
        if (running_ >= options_.max_in_flight) {
          recorder_.OnDropped();
        } else {
          Issue(next_due);
        }
        ++paced;
        next_due += interval;
      }
      if (!pacing && running_ == 0) return true;
      if (now > schedule_.end() + drain) return false;

      int still = 0;
      curl_multi_perform(multi_, &still);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg == CURLMSG_DONE) Finish(msg->easy_handle, msg->data.result);
      }
      if (pacing) ArmTimer(next_due);
      curl_waitfd extra{timer_fd_, CURL_WAIT_POLLIN, 0};
      curl_multi_poll(multi_, &extra, 1, 100, nullptr);
      uint64_t expirations = 0;
      if (read(timer_fd_, &expirations, sizeof expirations) < 0) {
        // not expired yet (EAGAIN)
      }
    }
  }

 private:
  void ArmTimer(Clock::time_point when) {
    auto ns = when.time_since_epoch().count();  // steady_clock is CLOCK_MONOTONIC
    itimerspec spec{};
    spec.it_value.tv_sec = static_cast<time_t>(ns / 1000000000);
    spec.it_value.tv_nsec = static_cast<long>(ns % 1000000000);
    if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
    timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
  }

  Transfer* NewTransfer() {
    if (!idle_.empty()) {
      Transfer* t = idle_.back();
      idle_.pop_back();
      return t;
    }
    auto* t = new Transfer();
    t->easy = curl_easy_init();
    curl_easy_setopt(t->easy, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(t->easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_s * 1000));
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, &HttpLoad::OnBytes);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, this);
    return t;
  }

  void Issue(Clock::time_point intended) {
    Transfer* t = NewTransfer();
    t->intended = intended;
    t->measured = schedule_.Measured(intended);
    t->done_event = false;
    t->body.clear();
    t->sse = upstream::SseParser();
    t->outcome = CallOutcome();
    transfers_[t->easy] = t;
    ++running_;
    recorder_.CallStarted();
    curl_multi_add_handle(multi_, t->easy);
  }

  static size_t OnBytes(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    HttpLoad* self = nullptr;
    curl_easy_getinfo(t->easy, CURLINFO_PRIVATE, &self);
    std::string_view bytes(data, size * count);
    if (!self->options_.streaming()) {
      t->body.append(bytes);
      return bytes.size();
    }
    t->sse.Feed(bytes, [&](upstream::SseEvent&& event) { self->OnEvent(*t, event.data); });
    return bytes.size();
  }

  void OnEvent(Transfer& t, const std::string& data) {
    if (data.empty()) return;
    if (data == "[DONE]") {
      t.done_event = true;
      return;
    }
    Clock::time_point now = Clock::now();
    if (t.measured) {
      if (t.outcome.chunks == 0) {
        recorder_.OnFirstChunk(Ns(now - t.intended));
      } else {
        recorder_.OnChunkGap(Ns(now - t.last_chunk));
      }
    }
    t.last_chunk = now;
    ++t.outcome.chunks;
    nlohmann::json chunk = nlohmann::json::parse(data, nullptr, false);
    if (!chunk.is_object() || !chunk.contains("choices")) return;
    for (const auto& choice : chunk["choices"]) {
      auto delta = choice.find("delta");
      if (delta == choice.end() || !delta->is_object()) continue;
      auto content = delta->find("content");
      if (content != delta->end() && content->is_string()) {
        t.outcome.tokens.OnText(content->get<std::string>());
      }
    }
    std::optional<int64_t> written = t.outcome.tokens.TakeStamp();
    if (written && t.measured) recorder_.OnChunkDelay(Ns(now.time_since_epoch()) - *written);
  }

  void Finish(CURL* easy, CURLcode result) {
    Transfer* t = transfers_[easy];
    transfers_.erase(easy);
    curl_multi_remove_handle(multi_, easy);
    --running_;
    CallOutcome& outcome = t->outcome;
    outcome.measured = t->measured;
    outcome.latency_ns = Ns(Clock::now() - t->intended);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (result != CURLE_OK) {
      outcome.error = std::string("CURL: ") + curl_easy_strerror(result);
    } else if (status != 200) {
      outcome.error = "HTTP_" + std::to_string(status);
    } else if (options_.streaming()) {
      if (!t->done_event) outcome.error = "HTTP: stream ended without [DONE]";
    } else {
      nlohmann::json answer = nlohmann::json::parse(t->body, nullptr, false);
      try {
        outcome.tokens.OnText(
            answer.at("choices").at(0).at("message").at("content").get<std::string>());
      } catch (const nlohmann::json::exception&) {
        outcome.error = "HTTP: unreadable answer";
      }
    }
    recorder_.OnCallDone(outcome);
    recorder_.CallEnded();
    idle_.push_back(t);
    if (!options_.open_loop()) {
      Clock::time_point now = Clock::now();
      if (schedule_.ClaimNext(now)) Issue(now);
    }
  }

  const LoadOptions& options_;
  Schedule& schedule_;
  Recorder& recorder_;
  CURLM* multi_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::string body_, url_;
  int timer_fd_ = -1;
  int64_t running_ = 0;
  std::vector<Transfer*> idle_;
  std::unordered_map<CURL*, Transfer*> transfers_;
};

}  // namespace

bool RunHttpLoad(const LoadOptions& options, Schedule& schedule, Recorder& recorder) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  HttpLoad load(options, schedule, recorder);
  bool drained = load.Run();
  recorder.IssuingDone();
  return drained;
}

}  // namespace seedgate::bench
