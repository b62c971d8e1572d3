#ifndef SEEDGATE_SERVER_SERVICE_SEEDGATE_SERVER_H_
#define SEEDGATE_SERVER_SERVICE_SEEDGATE_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "server/config/server_config.h"
#include "server/metrics/metrics_endpoint.h"
#include "server/metrics/seedgate_metrics.h"
#include "server/service/chat_service.h"
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

  // Health NOT_SERVING, then stops taking RPCs; RPCs still running are
  // cancelled (their upstream transfers aborted) after `grace`.
  void Shutdown(absl::Duration grace);

  // Blocks until Shutdown.
  void Wait();

 private:
  SeedgateServer() = default;

  std::shared_ptr<metrics::SeedgateMetrics> metrics_;
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint_;
  std::vector<std::unique_ptr<upstream::CurlLoop>> loops_;
  std::unique_ptr<upstream::ChatClient> client_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<ChatService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_SEEDGATE_SERVER_H_
