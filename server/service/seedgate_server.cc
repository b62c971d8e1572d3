#include "server/service/seedgate_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "server/service/server_credentials.h"

namespace seedgate::service {
namespace {

// After the grace, the time the RPCs we end get to send their status before
// gRPC cancels them.
constexpr absl::Duration kShutdownCutMargin = absl::Seconds(2);

// gRPC channel arguments are ints.
int ClampedMs(absl::Duration duration) {
  return static_cast<int>(
      std::min<int64_t>(absl::ToInt64Milliseconds(duration), std::numeric_limits<int>::max()));
}

// Each upstream loop is one busy thread at most: more than the cores only
// adds context switches.
int UpstreamThreads(const config::ServerConfig& config) {
  if (config.upstream_threads > 0) return config.upstream_threads;
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 2u));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SeedgateServer>> SeedgateServer::Start(
    const config::ServerConfig& config) {
  std::unique_ptr<SeedgateServer> server(new SeedgateServer());
  // Before anything listens: a server that would let anyone in does not start.
  auto auth = ClientAuthenticator::Create(config);
  if (!auth.ok()) return auth.status();
  server->auth_ = *std::move(auth);
  std::vector<upstream::CurlLoop*> loops;
  for (int i = 0; i < UpstreamThreads(config); ++i) {
    server->loops_.push_back(std::make_unique<upstream::CurlLoop>());
    loops.push_back(server->loops_.back().get());
  }
  server->metrics_ = std::make_shared<metrics::SeedgateMetrics>();
  server->metrics_->set_open_transfers_source([loops] {
    int open = 0;
    for (const upstream::CurlLoop* loop : loops) open += loop->active_transfers();
    return open;
  });
  if (!config.metrics_listen.empty()) {
    auto endpoint = metrics::MetricsEndpoint::Start(config.metrics_listen, server->metrics_);
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_endpoint_ = *std::move(endpoint);
  }

  if (config.access_log != "off") {
    auto access_log = metrics::AccessLog::Open(config.access_log, config.log_content);
    if (!access_log.ok()) return access_log.status();
    server->access_log_ = *std::move(access_log);
  }
  // The client label's values known at start-up get their series now, so
  // that a scrape shows them before their first call.
  server->metrics_->client("unauthenticated");
  if (server->auth_->mode() == ClientAuthenticator::Mode::kNone) {
    server->metrics_->client("anonymous");
  } else if (TokenStore* tokens = server->auth_->tokens()) {
    for (const std::string& name : tokens->current()->names()) server->metrics_->client(name);
  } else if (ClientLimitsStore* limits = server->auth_->limits()) {
    // mtls: the certificate names an operator gave limits to.
    for (const std::string& name : limits->current()->names()) server->metrics_->client(name);
  }

  upstream::ChatClientOptions client_options;
  client_options.base_urls = config.upstream_base_urls;
  client_options.api_key = config.api_key;
  server->upstream_key_ = std::make_unique<UpstreamKey>(config.api_key);
  client_options.api_key_source = [key = server->upstream_key_.get()] { return key->Get(); };
  client_options.insecure_skip_verify = config.upstream_insecure_skip_verify;
  client_options.ca_file = config.upstream_ca_file;
  client_options.http2 = config.upstream_http_version != "1.1";
  client_options.connect_timeout = config.connect_timeout;
  client_options.request_timeout = config.request_timeout;
  client_options.first_byte_timeout = config.upstream_first_byte_timeout;
  client_options.idle_timeout = config.upstream_idle_timeout;
  client_options.retry.max_attempts = config.upstream_max_attempts;
  client_options.retry.retry_on_http_statuses = config.upstream_retry_on;
  client_options.retry.initial_backoff = config.upstream_retry_initial_backoff;
  client_options.retry.max_backoff = config.upstream_retry_max_backoff;
  client_options.ejection.consecutive_failures = config.upstream_eject_after;
  client_options.ejection.ejection_time = config.upstream_eject_time;
  client_options.max_response_bytes = static_cast<size_t>(config.max_upstream_response_bytes);
  client_options.max_event_bytes = static_cast<size_t>(config.max_upstream_event_bytes);
  client_options.max_stream_chunks = config.max_stream_chunks;
  server->timers_ = std::make_unique<upstream::TimerQueue>();
  server->client_ = std::make_unique<upstream::ChatClient>(
      std::move(loops), server->timers_.get(), std::move(client_options),
      [metrics = server->metrics_.get()](size_t index) {
        metrics->upstream_ejections(index).Increment();
      });
  server->metrics_->AddBaseUrls(
      config.upstream_base_urls,
      [client = server->client_.get()](size_t index) { return client->base_url_ejected(index); });

  ChatCallEnv env;
  env.client = server->client_.get();
  env.metrics = server->metrics_.get();
  server->admission_ = std::make_unique<Admission>(config.max_concurrent_rpcs);
  env.admission = server->admission_.get();
  env.auth = server->auth_.get();
  server->quotas_ = std::make_unique<ClientQuotas>(server->metrics_.get(), config.quota_period);
  env.quotas = server->quotas_.get();
  env.access_log = server->access_log_.get();
  env.allow_unknown_models = config.allow_unknown_models;
  env.upstream_key = server->upstream_key_.get();
  server->StartWatchingFiles(config);
  server->service_ = std::make_unique<ChatService>(std::move(env));

  // Linking the descriptor in lets reflection describe the health service.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Requests carry images and videos inline as Base64 (the upstream takes up
  // to 10 MB per image); gRPC's 4 MiB default would refuse them.
  builder.SetMaxReceiveMessageSize(config.max_request_bytes);
  // gRPC connections are long-lived; without an age limit, clients never
  // spread over replicas added later. The grace lets running answers finish.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, ClampedMs(config.max_connection_age));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             ClampedMs(config.shutdown_grace));
  auto credentials = MakeServerCredentials(config);
  if (!credentials.ok()) return credentials.status();
  builder.AddListeningPort(config.listen, *credentials, &server->port_);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen,
                     " (address in use, or not an address of this machine?)"));
  }
  return server;
}

void SeedgateServer::StartWatchingFiles(const config::ServerConfig& config) {
  watcher_ = std::make_unique<FileWatcher>(config.credentials_poll_interval);
  if (TokenStore* tokens = auth_->tokens()) {
    watcher_->Watch(tokens->path(), [tokens, metrics = metrics_.get()] {
      absl::Status reloaded = tokens->Reload();
      if (!reloaded.ok()) {
        std::fprintf(stderr, "seedgate: %s; the clients loaded before stay in force\n",
                     std::string(reloaded.message()).c_str());
        return;
      }
      std::vector<std::string> names = tokens->current()->names();
      for (const std::string& name : names) metrics->client(name);
      std::fprintf(stderr, "seedgate: reloaded %s: %zu clients\n", tokens->path().c_str(),
                   names.size());
    });
  }
  if (ClientLimitsStore* limits = auth_->limits()) {
    watcher_->Watch(limits->path(), [limits] {
      absl::Status reloaded = limits->Reload();
      if (!reloaded.ok()) {
        std::fprintf(stderr, "seedgate: %s; the limits loaded before stay in force\n",
                     std::string(reloaded.message()).c_str());
        return;
      }
      std::fprintf(stderr, "seedgate: reloaded %s: limits for %zu clients\n",
                   limits->path().c_str(), limits->current()->size());
    });
  }
  if (config.api_key_from_file) {
    watcher_->Watch(config.api_key_file, [path = config.api_key_file, key = upstream_key_.get()] {
      absl::StatusOr<std::string> fresh = config::ReadApiKeyFile(path);
      if (!fresh.ok()) {
        std::fprintf(stderr, "seedgate: %s; the key loaded before stays in use\n",
                     std::string(fresh.status().message()).c_str());
        return;
      }
      key->Set(*std::move(fresh));
      std::fprintf(stderr, "seedgate: reloaded the upstream key from %s\n", path.c_str());
    });
  }
  watcher_->Start();
}

SeedgateServer::~SeedgateServer() {
  if (server_ != nullptr) Shutdown(absl::ZeroDuration());
  watcher_.reset();
  // The metrics endpoint reads the loops and the client at scrape time: it
  // goes first. Timers post to the loops: they stop before them. The loops'
  // threads stop before the client their transfers refer to goes.
  metrics_endpoint_.reset();
  timers_.reset();
  loops_.clear();
}

void SeedgateServer::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
  // gRPC refuses new RPCs at once and lets running ones finish. When the
  // grace runs out, we end the rest ourselves with UNAVAILABLE (gRPC would
  // say CANCELLED, which a client does not retry), aborting their upstream
  // transfers; gRPC cancels whatever still lingers a little later.
  // (std::condition_variable, not absl::Notification: the ThreadSanitizer
  // pass sees pthread waits, not those inside the uninstrumented Abseil.)
  std::mutex drained_mu;
  std::condition_variable drained_cv;
  bool drained = false;
  std::thread cutter([&] {
    std::unique_lock<std::mutex> lock(drained_mu);
    if (!drained_cv.wait_for(lock, absl::ToChronoNanoseconds(grace), [&] { return drained; })) {
      lock.unlock();
      client_->AbortAllForShutdown();
    }
  });
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(grace + kShutdownCutMargin));
  {
    std::lock_guard<std::mutex> lock(drained_mu);
    drained = true;
  }
  drained_cv.notify_one();
  cutter.join();
  server_->Wait();
  server_.reset();
}

void SeedgateServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace seedgate::service
