#ifndef SEEDGATE_SERVER_METRICS_METRICS_ENDPOINT_H_
#define SEEDGATE_SERVER_METRICS_METRICS_ENDPOINT_H_

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace seedgate::metrics {

// The Prometheus pull endpoint: GET /metrics on its own address, apart from
// the gRPC port, served by prometheus-cpp's embedded HTTP server.
class MetricsEndpoint {
 public:
  // `listen` is host:port (port 0 picks a free one).
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& listen, std::shared_ptr<prometheus::Collectable> collectable);

  int port() const { return port_; }

  ~MetricsEndpoint();

 private:
  MetricsEndpoint() = default;

  std::shared_ptr<prometheus::Collectable> collectable_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace seedgate::metrics

#endif  // SEEDGATE_SERVER_METRICS_METRICS_ENDPOINT_H_
