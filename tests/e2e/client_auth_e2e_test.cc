// Who may call: bearer tokens from a file, over real sockets.

#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "absl/strings/match.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/e2e/stack.h"
#include "tests/support/temp_file.h"

namespace seedgate::testing {
namespace {

constexpr char kBillingToken[] = "tok-billing-0d9e1f2a3b4c5d6e";
constexpr char kSearchToken[] = "tok-search-9a8b7c6d5e4f3a2b";

class ClientAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_file_ = WriteTempFile(
        absl::StrCat("# name token\nbilling ", kBillingToken, "\nsearch  ", kSearchToken, "\n"));
    config::ServerConfig config;
    config.client_auth = "tokens";
    config.client_tokens_file = tokens_file_;
    config.credentials_poll_interval = absl::Milliseconds(50);
    stack_ = Stack::Start({}, config);
    ASSERT_NE(stack_, nullptr);
  }
  void TearDown() override { std::remove(tokens_file_.c_str()); }

  grpc::Status Call(const std::string& authorization) {
    grpc::ClientContext context;
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    v1::ChatCompletion response;
    return stack_->stub->CreateChatCompletion(&context, UserRequest("hello"), &response);
  }

  std::string tokens_file_;
  std::unique_ptr<Stack> stack_;
};

void ExpectUnauthenticated(const grpc::Status& status, const std::string& must_not_echo = "") {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  Details details = DecodeDetails(status);
  EXPECT_TRUE(details.has_error_info);
  EXPECT_EQ(details.error_info.reason(), "UNAUTHENTICATED");
  EXPECT_EQ(details.error_info.domain(), "seedgate");
  if (!must_not_echo.empty()) {
    EXPECT_FALSE(absl::StrContains(status.error_message(), must_not_echo))
        << status.error_message();
    EXPECT_FALSE(absl::StrContains(status.error_details(), must_not_echo));
  }
}

TEST_F(ClientAuthTest, AValidTokenIsServed) {
  grpc::Status status = Call(absl::StrCat("Bearer ", kBillingToken));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stack_->emulator->stats().requests, 1);
}

TEST_F(ClientAuthTest, MissingTokenIsUnauthenticatedWithoutAnUpstreamCall) {
  grpc::Status status = Call("");
  ExpectUnauthenticated(status);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "authorization: Bearer"))
      << "says what to send: " << status.error_message();
  EXPECT_EQ(stack_->emulator->stats().requests, 0);
}

TEST_F(ClientAuthTest, WrongOrMalformedTokenIsUnauthenticatedAndNotEchoed) {
  const std::string wrong = "tok-billing-0d9e1f2a3b4c5d6X";  // one character off
  ExpectUnauthenticated(Call("Bearer " + wrong), wrong);
  ExpectUnauthenticated(Call(kBillingToken), kBillingToken);  // no "Bearer "
  ExpectUnauthenticated(Call("Basic dXNlcjpwYXNz"), "dXNlcjpwYXNz");
  // Streams are refused before they start, too.
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + wrong);
  auto reader = stack_->stub->StreamChatCompletion(&context, UserRequest("hi"));
  v1::ChatCompletionChunk chunk;
  EXPECT_FALSE(reader->Read(&chunk));
  ExpectUnauthenticated(reader->Finish(), wrong);
  EXPECT_EQ(stack_->emulator->stats().requests, 0);
}

TEST_F(ClientAuthTest, ListModelsNeedsATokenHealthDoesNot) {
  {
    grpc::ClientContext context;
    v1::ListModelsResponse response;
    ExpectUnauthenticated(stack_->stub->ListModels(&context, {}, &response));
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("bearer ", kSearchToken));
    v1::ListModelsResponse response;
    grpc::Status status = stack_->stub->ListModels(&context, {}, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_GT(response.models_size(), 0);
  }
  auto health = grpc::health::v1::Health::NewStub(stack_->channel);
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, {}, &response).ok()) << "probes need no token";
}

TEST_F(ClientAuthTest, ARevokedTokenIsRefusedOnceTheFileChanges) {
  ASSERT_TRUE(Call(absl::StrCat("Bearer ", kSearchToken)).ok());
  // billing stays; search is revoked; a new client appears.
  const std::string kNewToken = "tok-newcomer-5f5f5f5f5f5f5f";
  ReplaceFile(tokens_file_,
              absl::StrCat("billing ", kBillingToken, "\nnewcomer ", kNewToken, "\n"));
  grpc::Status status;
  for (int i = 0; i < 200; ++i) {  // the file is checked every 50 ms here
    status = Call(absl::StrCat("Bearer ", kSearchToken));
    if (!status.ok()) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ExpectUnauthenticated(status, kSearchToken);
  EXPECT_TRUE(Call(absl::StrCat("Bearer ", kBillingToken)).ok());
  EXPECT_TRUE(Call(absl::StrCat("Bearer ", kNewToken)).ok());
}

TEST_F(ClientAuthTest, ABrokenTokensFileKeepsTheClientsLoadedBefore) {
  ReplaceFile(tokens_file_, "billing too-short\n");
  absl::SleepFor(absl::Milliseconds(300));  // several checks of the file
  EXPECT_TRUE(Call(absl::StrCat("Bearer ", kBillingToken)).ok());
}

}  // namespace
}  // namespace seedgate::testing
