// The upstream key follows --api_key_file while seedgate runs.

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "tests/e2e/stack.h"
#include "tests/support/temp_file.h"

namespace seedgate::testing {
namespace {

grpc::Status Call(Stack& stack) {
  grpc::ClientContext context;
  v1::ChatCompletion response;
  return stack.stub->CreateChatCompletion(&context, UserRequest("hello"), &response);
}

// Calls until the outcome is `ok` (the file is checked every 50 ms).
grpc::Status CallUntil(Stack& stack, bool ok) {
  grpc::Status status;
  for (int i = 0; i < 200; ++i) {
    status = Call(stack);
    if (status.ok() == ok) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return status;
}

TEST(KeyReloadTest, ARotatedKeyFileIsUsedWithoutARestart) {
  const std::string key_file = WriteTempFile(std::string(kTestApiKey) + "\n");
  config::ServerConfig config;
  config.api_key = kTestApiKey;
  config.api_key_file = key_file;
  config.api_key_from_file = true;
  config.credentials_poll_interval = absl::Milliseconds(50);
  auto stack = Stack::Start({}, config);
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(Call(*stack).ok());

  // A key the upstream refuses: the calls fail, and the key is not shown.
  const std::string wrong_key = "sk-rotated-but-wrong-0000";
  ReplaceFile(key_file, wrong_key + "\n");
  grpc::Status status = CallUntil(*stack, /*ok=*/false);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL) << status.error_message();
  EXPECT_FALSE(absl::StrContains(status.error_message(), wrong_key));
  EXPECT_FALSE(absl::StrContains(status.error_details(), wrong_key));

  // An empty file (a Secret half-written) keeps the key in use.
  ReplaceFile(key_file, "");
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_FALSE(Call(*stack).ok());

  ReplaceFile(key_file, std::string(kTestApiKey) + "\n");
  status = CallUntil(*stack, /*ok=*/true);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::remove(key_file.c_str());
}

}  // namespace
}  // namespace seedgate::testing
