// seedgate against an HTTPS upstream: verification on, trusted by a CA file,
// and off only when --upstream_insecure_skip_verify says so.

#include <gtest/gtest.h>

#include "tests/e2e/stack.h"
#include "tests/support/tls_cert.h"

namespace seedgate::testing {
namespace {

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override { tls_ = MakeSelfSignedCert(); }

  std::unique_ptr<Stack> StartWithCa(const std::string& ca_file) {
    fake_upstream::EmulatorOptions emulator;
    emulator.tls_cert_file = tls_.cert_file;
    emulator.tls_key_file = tls_.key_file;
    config::ServerConfig config;
    config.upstream_ca_file = ca_file;
    return Stack::Start(emulator, config);
  }

  TlsFiles tls_;
};

TEST_F(TlsTest, UnaryAndStreamOverHttps) {
  auto stack = StartWithCa(tls_.cert_file);
  ASSERT_NE(stack, nullptr);
  ASSERT_EQ(stack->emulator->base_url().rfind("https://", 0), 0u);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack->stub->CreateChatCompletion(&context, UserRequest("hi"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.choices(0).message().content().empty());

  StreamResult stream = ReadStream(*stack->stub, UserRequest("hi #fake:delay_ms=10"));
  ASSERT_TRUE(stream.status.ok()) << stream.status.error_message();
  EXPECT_EQ(stream.content, response.choices(0).message().content());
}

TEST_F(TlsTest, UntrustedCertificateIsRefused) {
  auto stack = StartWithCa("");  // the system store does not know our throwaway CA
  ASSERT_NE(stack, nullptr);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack->stub->CreateChatCompletion(&context, UserRequest("hi"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(stack->emulator->stats().requests, 0) << "no request may cross an unverified TLS link";
}

TEST_F(TlsTest, VerificationIsOffOnlyWithInsecureSkipVerify) {
  fake_upstream::EmulatorOptions emulator;
  emulator.tls_cert_file = tls_.cert_file;
  emulator.tls_key_file = tls_.key_file;
  config::ServerConfig config;  // no CA that knows the certificate
  config.upstream_insecure_skip_verify = true;
  auto stack = Stack::Start(emulator, config);
  ASSERT_NE(stack, nullptr);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stack->stub->CreateChatCompletion(&context, UserRequest("hi"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stack->emulator->stats().requests, 1);
}

}  // namespace
}  // namespace seedgate::testing
