// A gRPC channel to seedgate: plaintext or TLS, keepalive, and a service
// config whose retry policy retries UNAVAILABLE only where that is safe.
#ifndef SEEDGATE_CLIENT_CHANNEL_H_
#define SEEDGATE_CLIENT_CHANNEL_H_

#include <grpcpp/channel.h>

#include <chrono>
#include <memory>
#include <string>

#include "client/result.h"

namespace seedgate::client {

struct KeepaliveOptions {
  // Ping an idle connection this often; zero turns keepalive off. A gRPC
  // server (seedgate keeps the defaults) counts pings closer than 5 minutes
  // apart while it sends nothing as abuse and closes the connection after a
  // few: a unary call whose model thinks for minutes sends nothing until the
  // end, so a shorter interval would kill exactly those calls.
  std::chrono::milliseconds time = std::chrono::minutes(5);
  // How long to wait for the ping's answer before the connection is dead.
  std::chrono::milliseconds timeout = std::chrono::seconds(20);
  // Also ping when no call is running (the server must allow it as well).
  bool permit_without_calls = false;
};

struct ChannelOptions {
  std::string target = "localhost:50051";  // any gRPC target: host:port, dns:///, unix:
  bool tls = false;
  std::string ca_file;  // with tls: PEM roots to trust instead of the system's
  // Mutual TLS: the PEM certificate chain and private key this client
  // presents (both or neither; they imply tls).
  std::string cert_file;
  std::string key_file;
  // With tls: the name to verify the server certificate against, when it
  // differs from the target's host (e.g. connecting by IP address).
  std::string tls_server_name;
  KeepaliveOptions keepalive;
  // Install RetryServiceConfigJson() as the default service config. A config
  // published by the name resolver (DNS TXT, xDS) still wins over it.
  bool retries = true;
  // Largest response accepted; chat answers with logprobs can exceed gRPC's
  // 4 MiB default.
  int max_receive_message_bytes = 64 * 1024 * 1024;
};

// The default service config: retryPolicy on UNAVAILABLE for
//  - ListModels: idempotent, answered locally, always safe (4 attempts);
//  - CreateChatCompletion and StreamChatCompletion (3 attempts).
// gRPC only retries an attempt that has received nothing from the server: no
// response headers, no message. seedgate sends headers together with the
// first chunk, so a chat call is retried only when nothing of the answer
// reached the client: the connection was refused or dropped first, the
// upstream could not be reached, or (unary only, where the whole answer comes
// at the end) the upstream failed before finishing. A stream that delivered a
// chunk is never retried, so no caller sees a token twice. Note that the last
// case may have cost upstream tokens; turn `retries` off if that matters.
// Only UNAVAILABLE is retried: RESOURCE_EXHAUSTED (rate limits) and
// DEADLINE_EXCEEDED are the caller's decision. Retries stop at the call's
// deadline, and retryThrottling stops them while most calls fail (a server
// that is down is not hammered). Requests over gRPC's 256 KiB retry buffer
// (inline images) are not retried.
std::string RetryServiceConfigJson();

// Creates the channel (connecting lazily, on the first call). Fails only when
// an option is unusable, e.g. a CA, certificate or key file cannot be read, or
// only one of cert_file and key_file is given.
Result<std::shared_ptr<grpc::Channel>> CreateChannel(const ChannelOptions& options);

}  // namespace seedgate::client

#endif  // SEEDGATE_CLIENT_CHANNEL_H_
