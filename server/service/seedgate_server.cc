#include "server/service/seedgate_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "grpc/health/v1/health.pb.h"

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

}  // namespace

absl::StatusOr<std::unique_ptr<SeedgateServer>> SeedgateServer::Start(
    const config::ServerConfig& config) {
  std::unique_ptr<SeedgateServer> server(new SeedgateServer());
  server->loop_ = std::make_unique<upstream::CurlLoop>();
  server->metrics_ = std::make_shared<metrics::SeedgateMetrics>();
  server->metrics_->set_open_transfers_source(
      [loop = server->loop_.get()] { return loop->active_transfers(); });
  if (!config.metrics_listen.empty()) {
    auto endpoint = metrics::MetricsEndpoint::Start(config.metrics_listen, server->metrics_);
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_endpoint_ = *std::move(endpoint);
  }

  upstream::ChatClientOptions client_options;
  client_options.base_urls = config.upstream_base_urls;
  client_options.api_key = config.api_key;
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
      server->loop_.get(), server->timers_.get(), std::move(client_options),
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
  env.allow_unknown_models = config.allow_unknown_models;
  env.secrets = {config.api_key};
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
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen,
                     " (address in use, or not an address of this machine?)"));
  }
  return server;
}

SeedgateServer::~SeedgateServer() {
  if (server_ != nullptr) Shutdown(absl::ZeroDuration());
  // The metrics endpoint reads the loop and the client at scrape time: it
  // goes first. Timers post to the loop: they stop before it. The loop's
  // thread stops before the client its transfers refer to goes.
  metrics_endpoint_.reset();
  timers_.reset();
  loop_.reset();
}

void SeedgateServer::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
  // gRPC refuses new RPCs at once and lets running ones finish. When the
  // grace runs out, we end the rest ourselves with UNAVAILABLE (gRPC would
  // say CANCELLED, which a client does not retry), aborting their upstream
  // transfers; gRPC cancels whatever still lingers a little later.
  absl::Notification drained;
  std::thread cutter([&] {
    if (!drained.WaitForNotificationWithTimeout(grace)) client_->AbortAllForShutdown();
  });
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(grace + kShutdownCutMargin));
  drained.Notify();
  cutter.join();
  server_->Wait();
  server_.reset();
}

void SeedgateServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace seedgate::service
