// grpc-api-probe: what gRPC's server costs per unary call and per streamed
// chunk, apart from everything else seedgate does. It serves
// seedgate.v1.ChatService's CreateChatCompletion with the answer
// seedgate-bench checks ("t0 .. tN-1" for #fake:tokens=N) and, like seedgate,
// finishes every call from another thread (the stand-in for the upstream
// loop), woken per call.
//
//   --api callback   ServerUnaryReactor, as seedgate serves it; gRPC runs the
//                    reactions on its callback threads
//   --api cq         the completion-queue API: --cq_threads threads, each
//                    blocking on its own queue, run every step of a call
//   --inline         answer on the thread that got the request, with no
//                    hand-off (the floor: what gRPC alone costs)
//   --stream_method  also serve StreamChatCompletion with the callback API,
//                    as seedgate does (its callback threads then exist and
//                    poll, whichever API the unary method uses): #fake:tokens
//                    chunks, #fake:delay_ms apart, each stamped with the time
//                    it was written, so seedgate-bench measures what gRPC
//                    alone adds to a chunk's delay
//
// bench/grpc_api_probe.sh drives it with seedgate-bench and counts CPU and
// context switches per call and per chunk; RESULTS.md has the numbers.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "seedgate/v1/chat.grpc.pb.h"

namespace {

using seedgate::v1::ChatCompletion;
using seedgate::v1::ChatCompletionChunk;
using seedgate::v1::ChatService;
using seedgate::v1::CreateChatCompletionRequest;

// One thread that runs posted tasks in order: the upstream loop's stand-in.
class Worker {
 public:
  // inline: Post runs the task at once, on the caller's thread.
  explicit Worker(bool run_inline) : inline_(run_inline), thread_([this] { Run(); }) {}
  ~Worker() {
    Post(nullptr);
    thread_.join();
  }
  void Post(std::function<void()> task) {
    if (inline_ && task) return task();
    bool wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      wake = tasks_.empty();
      tasks_.push_back(std::move(task));
    }
    if (wake) ready_.notify_one();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      ready_.wait(lock, [this] { return !tasks_.empty(); });
      std::deque<std::function<void()>> batch;
      batch.swap(tasks_);
      lock.unlock();
      for (auto& task : batch) {
        if (!task) return;
        task();
      }
      lock.lock();
    }
  }

  const bool inline_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  std::thread thread_;
};

// Runs tasks at their times, on its own thread: the streams' pacing.
class Pacer {
 public:
  using Clock = std::chrono::steady_clock;
  Pacer() : thread_([this] { Run(); }) {}
  ~Pacer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    changed_.notify_one();
    thread_.join();
  }
  void At(Clock::time_point when, std::function<void()> task) {
    bool earliest;
    {
      std::lock_guard<std::mutex> lock(mu_);
      earliest = due_.empty() || when < due_.top().when;
      due_.push({when, seq_++, std::move(task)});
    }
    if (earliest) changed_.notify_one();
  }

 private:
  struct Task {
    Clock::time_point when;
    uint64_t seq;
    std::function<void()> run;
    bool operator>(const Task& other) const {
      return when != other.when ? when > other.when : seq > other.seq;
    }
  };

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      if (due_.empty()) {
        changed_.wait(lock);
        continue;
      }
      if (due_.top().when > Clock::now()) {
        changed_.wait_until(lock, due_.top().when);
        continue;
      }
      std::vector<std::function<void()>> ready;
      while (!due_.empty() && due_.top().when <= Clock::now()) {
        ready.push_back(due_.top().run);
        due_.pop();
      }
      lock.unlock();
      for (auto& task : ready) task();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable changed_;
  std::priority_queue<Task, std::vector<Task>, std::greater<Task>> due_;
  uint64_t seq_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

// A #fake:KEY=N directive in the last message, as seedgate-bench sends them.
int DirectiveInt(const CreateChatCompletionRequest& request, const char* key, int fallback) {
  if (request.messages_size() == 0) return fallback;
  const std::string& text = request.messages(request.messages_size() - 1).content_text();
  const std::string marker = std::string("#fake:") + key + "=";
  auto at = text.find(marker);
  return at == std::string::npos ? fallback : std::atoi(text.c_str() + at + marker.size());
}

// One stream: each answer token is a chunk, stamped "t<i>@<steady ns>" when
// it is handed to gRPC (as the emulator stamps its write), the next one
// #fake:delay_ms after the previous write completed (as the emulator paces).
// Writes start on the pacer's thread, as seedgate's start on its upstream
// loop; their completions come on gRPC's threads.
class ProbeStream : public grpc::ServerWriteReactor<ChatCompletionChunk> {
 public:
  ProbeStream(const CreateChatCompletionRequest& request, Pacer& pacer)
      : pacer_(pacer),
        model_(request.model()),
        tokens_(DirectiveInt(request, "tokens", 12)),
        delay_(std::chrono::milliseconds(DirectiveInt(request, "delay_ms", 0))) {
    pacer_.At(Pacer::Clock::now(), [this] { WriteNext(); });
  }
  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    pacer_.At(Pacer::Clock::now() + delay_, [this] { WriteNext(); });
  }
  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    if (next_ == tokens_) return Finish(grpc::Status::OK);
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
        Pacer::Clock::now().time_since_epoch());
    chunk_.Clear();
    chunk_.set_id("probe");
    chunk_.set_model(model_);
    chunk_.add_choices()->mutable_delta()->set_content("t" + std::to_string(next_) + "@" +
                                                       std::to_string(now.count()) +
                                                       (next_ + 1 < tokens_ ? " " : ""));
    ++next_;
    StartWrite(&chunk_);
  }

  Pacer& pacer_;
  const std::string model_;
  const int tokens_;
  const std::chrono::milliseconds delay_;
  int next_ = 0;
  ChatCompletionChunk chunk_;
};

// The answer seedgate-bench accepts: #fake:tokens=N -> "t0 t1 ... tN-1".
void Answer(const CreateChatCompletionRequest& request, ChatCompletion* response) {
  const int tokens = DirectiveInt(request, "tokens", 12);
  std::string content;
  for (int i = 0; i < tokens; ++i) content += (i ? " t" : "t") + std::to_string(i);
  response->set_id("probe");
  response->set_model(request.model());
  response->add_choices()->mutable_message()->set_content(content);
}

class StreamMethod
    : public ChatService::WithCallbackMethod_StreamChatCompletion<ChatService::Service> {
 public:
  grpc::ServerWriteReactor<ChatCompletionChunk>* StreamChatCompletion(
      grpc::CallbackServerContext*, const CreateChatCompletionRequest* request) override {
    return new ProbeStream(*request, pacer_);
  }

 private:
  Pacer pacer_;
};

// --api callback.
template <typename Base>
class CallbackUnary : public ChatService::WithCallbackMethod_CreateChatCompletion<Base> {
 public:
  explicit CallbackUnary(Worker& worker) : worker_(worker) {}
  grpc::ServerUnaryReactor* CreateChatCompletion(grpc::CallbackServerContext* context,
                                                 const CreateChatCompletionRequest* request,
                                                 ChatCompletion* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    worker_.Post([=] {
      Answer(*request, response);
      reactor->Finish(grpc::Status::OK);
    });
    return reactor;
  }

 private:
  Worker& worker_;
};

// --api cq: one call's steps, each a completion-queue tag.
template <typename Service>
class CqCall {
 public:
  static void Start(Service* service, grpc::ServerCompletionQueue* cq, Worker* worker) {
    auto* call = new CqCall(service, cq, worker);
    service->RequestCreateChatCompletion(&call->context_, &call->request_, &call->responder_, cq,
                                         cq, &call->arrived_);
  }
  // Runs on the queue's thread: the tag is one of this call's.
  static void Proceed(void* tag, bool ok) {
    auto* step = static_cast<Step*>(tag);
    step->call->OnStep(step->kind, ok);
  }

 private:
  enum class Kind { kArrived, kFinished };
  struct Step {
    CqCall* call;
    Kind kind;
  };

  CqCall(Service* service, grpc::ServerCompletionQueue* cq, Worker* worker)
      : service_(service), cq_(cq), worker_(worker), responder_(&context_) {}

  void OnStep(Kind kind, bool ok) {
    if (kind == Kind::kFinished || !ok) {
      delete this;
      return;
    }
    Start(service_, cq_, worker_);  // the next call's slot
    worker_->Post([this] {
      Answer(request_, &response_);
      responder_.Finish(response_, grpc::Status::OK, &finished_);
    });
  }

  Service* service_;
  grpc::ServerCompletionQueue* cq_;
  Worker* worker_;
  grpc::ServerContext context_;
  CreateChatCompletionRequest request_;
  ChatCompletion response_;
  grpc::ServerAsyncResponseWriter<ChatCompletion> responder_;
  Step arrived_{this, Kind::kArrived};
  Step finished_{this, Kind::kFinished};
};

void Announce(const grpc::Server* server, int port) {
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "grpc-api-probe: cannot listen\n");
    std::exit(1);
  }
  std::printf("grpc-api-probe: listening on port %d\n", port);
  std::fflush(stdout);
}

template <typename Service>
void ServeCq(grpc::ServerBuilder& builder, const int& port, Service& service, int threads,
             Worker& worker) {
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> queues;
  for (int i = 0; i < threads; ++i) queues.push_back(builder.AddCompletionQueue());
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  Announce(server.get(), port);
  std::vector<std::thread> pollers;
  for (auto& cq : queues) {
    for (int i = 0; i < 64; ++i) CqCall<Service>::Start(&service, cq.get(), &worker);
    pollers.emplace_back([q = cq.get()] {
      void* tag;
      bool ok;
      while (q->Next(&tag, &ok)) CqCall<Service>::Proceed(tag, ok);
    });
  }
  server->Wait();
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0", api = "callback";
  int cq_threads = 1;
  bool stream_method = false, run_inline = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--listen") {
      listen = value();
    } else if (arg == "--api") {
      api = value();
    } else if (arg == "--cq_threads") {
      cq_threads = std::atoi(value().c_str());
    } else if (arg == "--stream_method") {
      stream_method = true;
    } else if (arg == "--inline") {
      run_inline = true;
    } else {
      std::fprintf(stderr,
                   "usage: grpc-api-probe [--listen HOST:PORT] [--api callback|cq] "
                   "[--cq_threads N] [--inline] [--stream_method]\n");
      return 2;
    }
  }
  if (api != "callback" && api != "cq") {
    std::fprintf(stderr, "grpc-api-probe: --api is callback or cq\n");
    return 2;
  }
  if (cq_threads < 1 || cq_threads > 64) {
    std::fprintf(stderr, "grpc-api-probe: --cq_threads is 1 to 64\n");
    return 2;
  }
  Worker worker(run_inline);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  if (api == "callback") {
    std::unique_ptr<grpc::Service> service;
    if (stream_method) {
      service = std::make_unique<CallbackUnary<StreamMethod>>(worker);
    } else {
      service = std::make_unique<CallbackUnary<ChatService::Service>>(worker);
    }
    builder.RegisterService(service.get());
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    Announce(server.get(), port);
    server->Wait();
  } else if (stream_method) {
    ChatService::WithAsyncMethod_CreateChatCompletion<StreamMethod> service;
    ServeCq(builder, port, service, cq_threads, worker);
  } else {
    ChatService::WithAsyncMethod_CreateChatCompletion<ChatService::Service> service;
    ServeCq(builder, port, service, cq_threads, worker);
  }
  return 0;
}
