#ifndef SEEDGATE_SERVER_SERVICE_SEEDGATE_SERVER_H_
#define SEEDGATE_SERVER_SERVICE_SEEDGATE_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "server/config/server_config.h"
#include "server/metrics/access_log.h"
#include "server/metrics/metrics_endpoint.h"
#include "server/metrics/seedgate_metrics.h"
#include "server/service/chat_service.h"
#include "server/service/file_watcher.h"
#include "server/service/upstream_key.h"
#include "server/upstream/chat_client.h"
#include "server/upstream/curl_loop.h"

namespace seedgate::service {

// A running seedgate: the gRPC server (ChatService, grpc.health.v1, server
// reflection) and the upstream loop behind it.
class SeedgateServer {
 public:
  // Binds `config.listen` (port 0 picks a free one) and starts serving.
  static absl::StatusOr<std::unique_ptr<SeedgateServer>> Start(const config::ServerConfig& config);
  ~SeedgateServer();

  // The bound gRPC port.
  int port() const { return port_; }
  // The bound /metrics port; 0 when --metrics_listen is empty.
  int metrics_port() const { return metrics_endpoint_ ? metrics_endpoint_->port() : 0; }

  // Health NOT_SERVING, then stops taking RPCs (new ones get UNAVAILABLE);
  // RPCs still running after `grace` end with UNAVAILABLE (reason
  // SHUTTING_DOWN) and their upstream transfers are aborted.
  void Shutdown(absl::Duration grace);

  // Blocks until Shutdown.
  void Wait();

 private:
  SeedgateServer() = default;
  // Reloads the tokens, limits and API key files when they change.
  void StartWatchingFiles(const config::ServerConfig& config);

  std::shared_ptr<metrics::SeedgateMetrics> metrics_;
  std::unique_ptr<metrics::AccessLog> access_log_;
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint_;
  std::vector<std::unique_ptr<upstream::CurlLoop>> loops_;
  std::unique_ptr<upstream::TimerQueue> timers_;
  std::unique_ptr<upstream::ChatClient> client_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<ClientAuthenticator> auth_;
  std::unique_ptr<ClientQuotas> quotas_;
  std::unique_ptr<UpstreamKey> upstream_key_;
  std::unique_ptr<FileWatcher> watcher_;
  std::unique_ptr<ChatService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_SEEDGATE_SERVER_H_
