// TLS and mutual TLS on seedgate's gRPC port, with throwaway certificates.

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "tests/e2e/stack.h"
#include "tests/support/temp_file.h"
#include "tests/support/tls_cert.h"

namespace seedgate::testing {
namespace {

// A stub over TLS to the stack's port, trusting `ca`, presenting `client`
// when given.
std::unique_ptr<v1::ChatService::Stub> TlsStub(const Stack& stack, const TlsFiles& ca,
                                               const TlsFiles* client, int fresh_channel = 0) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFileOrDie(ca.cert_file);
  if (client != nullptr) {
    options.pem_cert_chain = ReadFileOrDie(client->cert_file);
    options.pem_private_key = ReadFileOrDie(client->key_file);
  }
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  // Channels with equal arguments share connections; a distinct one forces a
  // new handshake.
  args.SetInt("seedgate.test.fresh_channel", fresh_channel);
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(stack.server->port()),
                                           grpc::SslCredentials(options), args);
  return v1::ChatService::NewStub(channel);
}

grpc::Status Call(v1::ChatService::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ChatCompletion response;
  return stub.CreateChatCompletion(&context, UserRequest("hello"), &response);
}

class GrpcTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = MakeCa();
    server_cert_ = MakeSignedCert(ca_, "localhost");
  }

  std::unique_ptr<Stack> Start(bool mutual, const std::string& access_log = "off") {
    config::ServerConfig config;
    config.credentials_poll_interval = absl::Seconds(1);
    config.access_log = access_log;
    config.tls_cert = server_cert_.cert_file;
    config.tls_key = server_cert_.key_file;
    if (mutual) {
      config.tls_client_ca = ca_.cert_file;
      config.client_auth = "mtls";
    }
    return Stack::Start({}, config);
  }

  TlsFiles ca_;
  TlsFiles server_cert_;
};

TEST_F(GrpcTlsTest, TlsServesATrustingClientAndRefusesPlaintext) {
  auto stack = Start(/*mutual=*/false);
  ASSERT_NE(stack, nullptr);
  auto stub = TlsStub(*stack, ca_, nullptr);
  grpc::Status status = Call(*stub);
  ASSERT_TRUE(status.ok()) << status.error_message();

  status = Call(*stack->stub);  // Stack's own channel is plaintext
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(stack->emulator->stats().requests, 1);
}

TEST_F(GrpcTlsTest, MutualTlsServesACertifiedClientNamedByItsCertificate) {
  const std::string log_file = WriteTempFile("");
  auto stack = Start(/*mutual=*/true, log_file);
  ASSERT_NE(stack, nullptr);
  TlsFiles client = MakeSignedCert(ca_, "billing");
  auto stub = TlsStub(*stack, ca_, &client);
  grpc::Status status = Call(*stub);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stack->emulator->stats().requests, 1);
  std::string log;
  for (int i = 0; i < 500 && log.empty(); ++i) {
    log = ReadWholeFile(log_file);
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(absl::StrContains(log, R"("client":"billing")")) << log;
  std::remove(log_file.c_str());
}

TEST_F(GrpcTlsTest, MutualTlsRefusesAClientWithoutACertificateOrWithAForeignOne) {
  auto stack = Start(/*mutual=*/true);
  ASSERT_NE(stack, nullptr);
  auto no_cert = TlsStub(*stack, ca_, nullptr);
  grpc::Status status = Call(*no_cert);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();

  TlsFiles other_ca = MakeCa("someone-else");
  TlsFiles foreign = MakeSignedCert(other_ca, "intruder");
  auto foreign_stub = TlsStub(*stack, ca_, &foreign);
  status = Call(*foreign_stub);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(stack->emulator->stats().requests, 0);
}

TEST_F(GrpcTlsTest, ARenewedCertificateIsServedWithoutARestart) {
  auto stack = Start(/*mutual=*/false);
  ASSERT_NE(stack, nullptr);
  TlsFiles new_ca = MakeCa("renewed-ca");
  TlsFiles renewed = MakeSignedCert(new_ca, "localhost");
  EXPECT_EQ(Call(*TlsStub(*stack, new_ca, nullptr, 1)).error_code(), grpc::StatusCode::UNAVAILABLE)
      << "not trusted before the renewal";
  ASSERT_EQ(std::rename(renewed.key_file.c_str(), server_cert_.key_file.c_str()), 0);
  ASSERT_EQ(std::rename(renewed.cert_file.c_str(), server_cert_.cert_file.c_str()), 0);
  grpc::Status status;
  for (int i = 2; i < 60; ++i) {  // gRPC checks the files every second here
    status = Call(*TlsStub(*stack, new_ca, nullptr, i));
    if (status.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(GrpcTlsTest, AKeyThatDoesNotMatchItsCertificateStopsStartUp) {
  TlsFiles other = MakeSignedCert(ca_, "localhost");
  config::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.metrics_listen = "";
  config.client_auth = "none";
  config.api_key = kTestApiKey;
  config.tls_cert = server_cert_.cert_file;
  config.tls_key = other.key_file;
  auto server = service::SeedgateServer::Start(config);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(absl::StrContains(server.status().message(), "is not the key of --tls_cert"))
      << server.status();
}

TEST(ServerStartTest, WithoutAClientAuthModeTheServerRefusesToStart) {
  config::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.metrics_listen = "";
  config.api_key = kTestApiKey;
  auto server = service::SeedgateServer::Start(config);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(absl::StrContains(server.status().message(), "--client_auth=none"))
      << server.status();
}

}  // namespace
}  // namespace seedgate::testing
