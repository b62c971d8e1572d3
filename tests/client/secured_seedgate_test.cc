// The client library against a real seedgate that lets only known callers
// in: a bearer token over TLS (tokens mode) and a client certificate (mtls).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "client/channel.h"
#include "client/chat_client.h"
#include "tests/e2e/stack.h"
#include "tests/support/temp_file.h"
#include "tests/support/tls_cert.h"

namespace seedgate::testing {
namespace {

using client::ChannelOptions;
using client::ChatClient;
using client::ClientOptions;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "tok-reports-4e5f6a7b8c9d0e1f";

class ClientSecuredSeedgateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = MakeCa();
    server_cert_ = MakeSignedCert(ca_, "localhost");
  }
  void TearDown() override {
    if (!tokens_file_.empty()) std::remove(tokens_file_.c_str());
  }

  void Start(const std::string& mode) {
    config::ServerConfig config;
    config.access_log = "off";
    config.tls_cert = server_cert_.cert_file;
    config.tls_key = server_cert_.key_file;
    config.client_auth = mode;
    if (mode == "tokens") {
      tokens_file_ = WriteTempFile(absl::StrCat("reports ", kToken, "\n"));
      config.client_tokens_file = tokens_file_;
    } else {
      config.tls_client_ca = ca_.cert_file;
    }
    stack_ = Stack::Start({}, config);
    ASSERT_NE(stack_, nullptr);
  }

  ChannelOptions Channel() const {
    ChannelOptions channel;
    channel.target = absl::StrCat("localhost:", stack_->server->port());
    channel.ca_file = ca_.cert_file;
    channel.retries = false;
    return channel;
  }

  static client::Result<v1::ChatCompletion> Ask(const ChannelOptions& channel,
                                                ClientOptions options = {}) {
    auto created = client::CreateChannel(channel);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    options.default_timeout = std::chrono::seconds(10);
    return ChatClient(*created, std::move(options)).Chat(UserRequest("hello"));
  }

  TlsFiles ca_, server_cert_;
  std::string tokens_file_;
  std::unique_ptr<Stack> stack_;
};

TEST_F(ClientSecuredSeedgateTest, ABearerTokenOverTlsIsServed) {
  Start("tokens");
  ClientOptions with_token;
  with_token.bearer_token = kToken;
  auto answer = Ask(Channel(), with_token);
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
  EXPECT_FALSE(answer->choices(0).message().content().empty());

  auto refused = Ask(Channel());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, grpc::StatusCode::UNAUTHENTICATED);
  ClientOptions wrong;
  wrong.bearer_token = "tok-reports-0000000000000000";
  refused = Ask(Channel(), wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(refused.error().ToString(), Not(HasSubstr("tok-reports")));
  EXPECT_EQ(stack_->emulator->stats().requests, 1);
}

TEST_F(ClientSecuredSeedgateTest, AClientCertificateIsPresentedForMutualTls) {
  Start("mtls");
  TlsFiles reports = MakeSignedCert(ca_, "reports");
  ChannelOptions channel = Channel();
  channel.cert_file = reports.cert_file;
  channel.key_file = reports.key_file;
  auto answer = Ask(channel);
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();

  auto refused = Ask(Channel());  // TLS, but no certificate
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(stack_->emulator->stats().requests, 1);
}

TEST(ClientChannelTest, AClientCertificateNeedsItsKeyAndReadableFiles) {
  ChannelOptions channel;
  channel.target = "localhost:1";
  channel.cert_file = "/tmp/cert.pem";
  auto half = client::CreateChannel(channel);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.error().code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(half.error().message, HasSubstr("key_file"));

  channel.key_file = "/nonexistent/client.key";
  channel.cert_file = MakeSelfSignedCert().cert_file;
  auto missing = client::CreateChannel(channel);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("/nonexistent/client.key"));
}

}  // namespace
}  // namespace seedgate::testing
