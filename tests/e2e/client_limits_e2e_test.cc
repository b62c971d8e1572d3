// Per-client limits from --client_limits_file over real sockets: keyed by the
// name a client certificate gives (mtls, where there is no tokens file),
// winning over a tokens-file entry, and reloaded while running.

#include <gtest/gtest.h>

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/stack.h"
#include "tests/support/temp_file.h"
#include "tests/support/tls_cert.h"

namespace seedgate::testing {
namespace {

// A stub over mutual TLS to the stack's port, presenting `client`.
std::unique_ptr<v1::ChatService::Stub> MtlsStub(const Stack& stack, const TlsFiles& ca,
                                                const TlsFiles& client) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFileOrDie(ca.cert_file);
  options.pem_cert_chain = ReadFileOrDie(client.cert_file);
  options.pem_private_key = ReadFileOrDie(client.key_file);
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  // Channels with equal arguments share connections; one per client.
  args.SetString("seedgate.test.client", client.cert_file);
  return v1::ChatService::NewStub(grpc::CreateCustomChannel(
      "127.0.0.1:" + std::to_string(stack.server->port()), grpc::SslCredentials(options), args));
}

grpc::Status Call(v1::ChatService::Stub& stub, const std::string& token = "") {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  v1::ChatCompletion response;
  return stub.CreateChatCompletion(&context, UserRequest("hello"), &response);
}

void ExpectRequestsLimit(const grpc::Status& status, const std::string& client, int64_t limit) {
  ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  Details details = DecodeDetails(status);
  ASSERT_TRUE(details.has_error_info);
  EXPECT_EQ(details.error_info.reason(), "CLIENT_QUOTA_EXCEEDED");
  EXPECT_EQ(details.error_info.metadata().at("limit"), "requests_per_minute");
  EXPECT_EQ(details.error_info.metadata().at("client"), client);
  EXPECT_EQ(details.error_info.metadata().at("limit_value"), absl::StrCat(limit))
      << "the limit in force";
  EXPECT_TRUE(details.has_retry_info);
}

class ClientLimitsMtlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = MakeCa();
    server_cert_ = MakeSignedCert(ca_, "localhost");
    billing_ = MakeSignedCert(ca_, "billing");
    search_ = MakeSignedCert(ca_, "search");
    limits_file_ = WriteTempFile("# mTLS names\nbilling requests_per_minute=1\n");
    config::ServerConfig config;
    config.access_log = "off";
    config.tls_cert = server_cert_.cert_file;
    config.tls_key = server_cert_.key_file;
    config.tls_client_ca = ca_.cert_file;
    config.client_auth = "mtls";
    config.client_limits_file = limits_file_;
    config.client_requests_per_minute = 3;  // the default, for "search"
    config.credentials_poll_interval = absl::Milliseconds(50);
    stack_ = Stack::Start({}, config);
    ASSERT_NE(stack_, nullptr);
  }
  void TearDown() override { std::remove(limits_file_.c_str()); }

  TlsFiles ca_, server_cert_, billing_, search_;
  std::string limits_file_;
  std::unique_ptr<Stack> stack_;
};

TEST_F(ClientLimitsMtlsTest, OneClientHasItsOwnLimitAnotherTheDefault) {
  auto billing = MtlsStub(*stack_, ca_, billing_);
  auto search = MtlsStub(*stack_, ca_, search_);
  ASSERT_TRUE(Call(*billing).ok());
  ExpectRequestsLimit(Call(*billing), "billing", 1);
  for (int i = 0; i < 3; ++i) {
    grpc::Status status = Call(*search);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
  }
  ExpectRequestsLimit(Call(*search), "search", 3);
  EXPECT_EQ(stack_->emulator->stats().requests, 4) << "refused calls cost no upstream call";
}

TEST_F(ClientLimitsMtlsTest, AChangedFileChangesTheLimitsWhileRunning) {
  auto billing = MtlsStub(*stack_, ca_, billing_);
  auto search = MtlsStub(*stack_, ca_, search_);
  ASSERT_TRUE(Call(*billing).ok());
  ExpectRequestsLimit(Call(*billing), "billing", 1);

  // billing's limit is lifted; search gets a tighter one than the default.
  ReplaceFile(limits_file_, "billing requests_per_minute=0\nsearch requests_per_minute=1\n");
  grpc::Status status;
  for (int i = 0; i < 200; ++i) {  // the file is checked every 50 ms here
    status = Call(*billing);
    if (status.ok()) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(status.ok()) << "lifted by the reload: " << status.error_message();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Call(*billing).ok());
  ASSERT_TRUE(Call(*search).ok());
  ExpectRequestsLimit(Call(*search), "search", 1);
}

TEST_F(ClientLimitsMtlsTest, ABrokenFileKeepsTheLimitsLoadedBefore) {
  auto billing = MtlsStub(*stack_, ca_, billing_);
  ReplaceFile(limits_file_, "billing requests_per_minute=lots\n");
  absl::SleepFor(absl::Milliseconds(300));  // several checks of the file
  ASSERT_TRUE(Call(*billing).ok());
  ExpectRequestsLimit(Call(*billing), "billing", 1);
}

TEST(ClientLimitsTokensTest, TheLimitsFileWinsOverTheTokensFileLimitByLimit) {
  constexpr char kAlpha[] = "tok-alpha-1a2b3c4d5e6f7a8b";
  constexpr char kBeta[] = "tok-beta-9f8e7d6c5b4a3f2e";
  const std::string tokens = WriteTempFile(absl::StrCat(
      "alpha ", kAlpha, " requests_per_minute=0 concurrent_streams=0\n",  // no limits here...
      "beta ", kBeta, " requests_per_minute=2\n"));
  // ...but alpha gets one here; beta's entry sets another limit only.
  const std::string limits =
      WriteTempFile("alpha requests_per_minute=1\nbeta concurrent_streams=5\n");
  config::ServerConfig config;
  config.access_log = "off";
  config.client_auth = "tokens";
  config.client_tokens_file = tokens;
  config.client_limits_file = limits;
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(Call(*stack->stub, kAlpha).ok());
  ExpectRequestsLimit(Call(*stack->stub, kAlpha), "alpha", 1);
  // beta's requests_per_minute still comes from the tokens file.
  ASSERT_TRUE(Call(*stack->stub, kBeta).ok());
  ASSERT_TRUE(Call(*stack->stub, kBeta).ok());
  ExpectRequestsLimit(Call(*stack->stub, kBeta), "beta", 2);
  std::remove(tokens.c_str());
  std::remove(limits.c_str());
}

TEST(ClientLimitsStartTest, ABadFileStopsStartUpNamingFileAndLine) {
  const std::string limits = WriteTempFile("alpha requests_per_minute=1\nbeta burst=3\n");
  config::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.metrics_listen = "";
  config.access_log = "off";
  config.client_auth = "none";
  config.client_limits_file = limits;
  auto server = service::SeedgateServer::Start(config);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(server.status().message(), limits)) << server.status();
  EXPECT_TRUE(absl::StrContains(server.status().message(), "line 2")) << server.status();
  EXPECT_TRUE(absl::StrContains(server.status().message(), "unknown limit")) << server.status();
  std::remove(limits.c_str());
}

TEST(ClientLimitsNoneTest, TheAnonymousCallerCanBeLimitedByName) {
  const std::string limits = WriteTempFile(R"({"clients": [{"name": "anonymous",
                                                           "requests_per_minute": 1}]})");
  config::ServerConfig config;
  config.access_log = "off";
  config.client_limits_file = limits;  // Stack's default mode is none
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(Call(*stack->stub).ok());
  ExpectRequestsLimit(Call(*stack->stub), "anonymous", 1);
  std::remove(limits.c_str());
}

}  // namespace
}  // namespace seedgate::testing
