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
#include "grpc/health/v1/health.pb.h"

namespace seedgate::service {
namespace {

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

  upstream::ChatClientOptions client_options;
  client_options.base_urls = config.upstream_base_urls;
  client_options.api_key = config.api_key;
  client_options.ca_file = config.upstream_ca_file;
  client_options.http2 = config.upstream_http_version != "1.1";
  client_options.connect_timeout = config.connect_timeout;
  client_options.request_timeout = config.request_timeout;
  server->client_ =
      std::make_unique<upstream::ChatClient>(std::move(loops), std::move(client_options));

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
  // The loops' threads stop before the client their transfers refer to goes.
  // The metrics endpoint reads the loops at scrape time: it goes first.
  metrics_endpoint_.reset();
  loops_.clear();
}

void SeedgateServer::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  server_->Wait();
  server_.reset();
}

void SeedgateServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace seedgate::service
