// The seedgate binary as a user starts it: flags, the demo emulator, health,
// and a clean exit on SIGTERM.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "absl/strings/match.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/e2e/stack.h"

namespace seedgate::testing {
namespace {

struct Child {
  pid_t pid = -1;
  int stderr_fd = -1;
};

// Starts the seedgate binary with `args` and an environment without any key.
Child Spawn(const std::vector<std::string>& args) {
  int err[2];
  EXPECT_EQ(pipe(err), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(err[1], STDERR_FILENO);
    close(err[0]);
    unsetenv("EVOLINK_API_KEY");
    std::vector<char*> argv;
    std::string binary = SEEDGATE_BIN;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(err[1]);
  return Child{pid, err[0]};
}

// Reads the child's stderr until `pattern` matches or it closes.
std::string ReadUntil(int fd, const std::regex& pattern, std::smatch* match, std::string* all) {
  char buffer[512];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) return "";
    all->append(buffer, n);
    if (std::regex_search(*all, *match, pattern)) return match->str(1);
  }
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(BinaryTest, BadFlagStopsStartupWithAClearMessage) {
  Child child = Spawn({"--listen=nonsense", "--require_api_key"});
  std::string all;
  std::smatch match;
  ReadUntil(child.stderr_fd, std::regex("(never matches)"), &match, &all);
  EXPECT_EQ(WaitExit(child.pid), 2);
  EXPECT_TRUE(absl::StrContains(all, "--listen")) << all;
  close(child.stderr_fd);

  child = Spawn({"--conect_timeout=5s"});
  all.clear();
  ReadUntil(child.stderr_fd, std::regex("(never matches)"), &match, &all);
  EXPECT_EQ(WaitExit(child.pid), 2);
  EXPECT_TRUE(absl::StrContains(all, "--connect_timeout")) << "suggests the right flag: " << all;
  close(child.stderr_fd);
}

TEST(BinaryTest, RequireApiKeyRefusesToStartWithoutOne) {
  Child child =
      Spawn({"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--require_api_key"});
  std::string all;
  std::smatch match;
  ReadUntil(child.stderr_fd, std::regex("(never matches)"), &match, &all);
  EXPECT_EQ(WaitExit(child.pid), 2);
  EXPECT_TRUE(absl::StrContains(all, "EVOLINK_API_KEY")) << all;
  close(child.stderr_fd);
}

TEST(BinaryTest, WithoutClientAuthenticationItRefusesToStartAndSaysWhy) {
  Child child = Spawn({"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0"});
  std::string all;
  std::smatch match;
  ReadUntil(child.stderr_fd, std::regex("(never matches)"), &match, &all);
  EXPECT_EQ(WaitExit(child.pid), 2);
  EXPECT_TRUE(absl::StrContains(all, "refusing to start")) << all;
  for (const char* remedy : {"--client_tokens_file", "--tls_client_ca", "--client_auth=none"}) {
    EXPECT_TRUE(absl::StrContains(all, remedy)) << "names " << remedy << ": " << all;
  }
  EXPECT_FALSE(absl::StrContains(all, "listening on")) << all;
  close(child.stderr_fd);
}

TEST(BinaryTest, WithoutAKeyItRunsTheEmulatorServesHealthAndStopsOnSigterm) {
  Child child =
      Spawn({"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--client_auth=none"});
  std::string all;
  std::smatch match;
  std::string port =
      ReadUntil(child.stderr_fd, std::regex(R"(listening on \S+ \(port (\d+)\))"), &match, &all);
  ASSERT_FALSE(port.empty()) << all;
  EXPECT_TRUE(absl::StrContains(all, "EMULATOR")) << "says it runs against the emulator: " << all;
  EXPECT_TRUE(absl::StrContains(all, "WARNING: --client_auth=none")) << all;

  auto channel = grpc::CreateChannel("127.0.0.1:" + port, grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckResponse health_response;
  {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    ASSERT_TRUE(health->Check(&context, request, &health_response).ok());
    EXPECT_EQ(health_response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }

  auto stub = v1::ChatService::NewStub(channel);
  grpc::ClientContext context;
  v1::ChatCompletion response;
  grpc::Status status = stub->CreateChatCompletion(&context, UserRequest("hello"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.choices(0).message().content().empty());

  kill(child.pid, SIGTERM);
  EXPECT_EQ(WaitExit(child.pid), 0);
  close(child.stderr_fd);
}

TEST(BinaryTest, SigtermWithStreamsOpenTurnsHealthDownFinishesThemAndExitsZero) {
  Child child = Spawn({"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--client_auth=none",
                       "--access_log=off"});
  std::string all;
  std::smatch match;
  std::string port =
      ReadUntil(child.stderr_fd, std::regex(R"(listening on \S+ \(port (\d+)\))"), &match, &all);
  ASSERT_FALSE(port.empty()) << all;
  auto channel = grpc::CreateChannel("127.0.0.1:" + port, grpc::InsecureChannelCredentials());
  auto stub = v1::ChatService::NewStub(channel);
  auto health = grpc::health::v1::Health::NewStub(channel);

  // Two streams of about a second each are under way when SIGTERM comes.
  constexpr int kStreams = 2;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::ChatCompletionChunk>>> readers;
  std::vector<std::string> contents(kStreams);
  for (int i = 0; i < kStreams; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(stub->StreamChatCompletion(
        contexts.back().get(),
        UserRequest("#fake:tokens=20 #fake:delay_ms=50 #fake:number_tokens=1")));
    v1::ChatCompletionChunk chunk;
    ASSERT_TRUE(readers.back()->Read(&chunk));
    for (const auto& choice : chunk.choices()) contents[i] += choice.delta().content();
  }
  // A Watch sees NOT_SERVING as soon as shutdown starts.
  grpc::ClientContext watch_context;
  grpc::health::v1::HealthCheckRequest watch_request;
  auto watch = health->Watch(&watch_context, watch_request);
  grpc::health::v1::HealthCheckResponse watched;
  ASSERT_TRUE(watch->Read(&watched));
  EXPECT_EQ(watched.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  kill(child.pid, SIGTERM);
  ASSERT_TRUE(watch->Read(&watched));
  EXPECT_EQ(watched.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  watch_context.TryCancel();
  watch->Finish();

  for (int i = 0; i < kStreams; ++i) {
    v1::ChatCompletionChunk chunk;
    while (readers[i]->Read(&chunk)) {
      for (const auto& choice : chunk.choices()) contents[i] += choice.delta().content();
    }
    grpc::Status status = readers[i]->Finish();
    EXPECT_TRUE(status.ok()) << "in-flight streams run to completion: " << status.error_message();
    std::string expected = "t0";
    for (int t = 1; t < 20; ++t) expected += " t" + std::to_string(t);
    EXPECT_EQ(contents[i], expected);
  }
  EXPECT_EQ(WaitExit(child.pid), 0);
  close(child.stderr_fd);
}

}  // namespace
}  // namespace seedgate::testing
