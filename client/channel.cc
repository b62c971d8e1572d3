#include "client/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <climits>
#include <fstream>
#include <optional>
#include <sstream>
#include <tuple>

namespace seedgate::client {

namespace {

// A PEM file's contents; nullopt when it cannot be read or is empty.
std::optional<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream pem;
  pem << in.rdbuf();
  if (!in || pem.str().empty()) return std::nullopt;
  return pem.str();
}

}  // namespace

std::string RetryServiceConfigJson() {
  return R"json({
  "methodConfig": [
    {
      "name": [{"service": "seedgate.v1.ChatService", "method": "ListModels"}],
      "retryPolicy": {
        "maxAttempts": 4,
        "initialBackoff": "0.1s",
        "maxBackoff": "2s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"]
      }
    },
    {
      "name": [
        {"service": "seedgate.v1.ChatService", "method": "CreateChatCompletion"},
        {"service": "seedgate.v1.ChatService", "method": "StreamChatCompletion"}
      ],
      "retryPolicy": {
        "maxAttempts": 3,
        "initialBackoff": "0.2s",
        "maxBackoff": "2s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"]
      }
    }
  ],
  "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}
})json";
}

Result<std::shared_ptr<grpc::Channel>> CreateChannel(const ChannelOptions& options) {
  if (options.target.empty()) {
    return ClientError::Local(grpc::StatusCode::INVALID_ARGUMENT, "empty target");
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return ClientError::Local(grpc::StatusCode::INVALID_ARGUMENT,
                              "a client certificate and its key go together: give both "
                              "cert_file and key_file (mutual TLS) or neither");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // A CA file or a client certificate implies TLS.
  const bool tls = options.tls || !options.ca_file.empty() || !options.cert_file.empty();
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    for (auto [path, what, out] :
         {std::make_tuple(&options.ca_file, "CA file", &ssl.pem_root_certs),
          std::make_tuple(&options.cert_file, "client certificate file", &ssl.pem_cert_chain),
          std::make_tuple(&options.key_file, "client key file", &ssl.pem_private_key)}) {
      if (path->empty()) continue;
      std::optional<std::string> pem = ReadPem(*path);
      if (!pem) {
        return ClientError::Local(grpc::StatusCode::INVALID_ARGUMENT,
                                  std::string("cannot read ") + what + " " + *path);
      }
      *out = *std::move(pem);
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }

  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, options.keepalive.time.count() > 0
                                              ? static_cast<int>(options.keepalive.time.count())
                                              : INT_MAX);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, static_cast<int>(options.keepalive.timeout.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
              options.keepalive.permit_without_calls ? 1 : 0);
  args.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  args.SetString(GRPC_ARG_PRIMARY_USER_AGENT_STRING, "seedgate-client/0.1");
  if (tls && !options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  if (options.retries) {
    args.SetServiceConfigJSON(RetryServiceConfigJson());
  } else {
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  }
  return grpc::CreateCustomChannel(options.target, credentials, args);
}

}  // namespace seedgate::client
