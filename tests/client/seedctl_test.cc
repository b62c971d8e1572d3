// The seedctl binary as a person runs it, against a seedgate + emulator
// running in this process. Its stdout is a file here, so it behaves as when
// piped: no colours, no streaming unless --stream.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "absl/strings/str_split.h"
#include "tests/e2e/stack.h"
#include "tests/support/tls_cert.h"

extern char** environ;

namespace seedgate::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SeedctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = Stack::Start();
    ASSERT_NE(stack_, nullptr);
    char dir[] = "/tmp/seedctl_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf " + dir_).c_str());
  }

  std::string Target() const { return "127.0.0.1:" + std::to_string(stack_->server->port()); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Starts seedctl with `args`; stdout and stderr go to files, stdin comes
  // from `input`. `env` entries (NAME=value) are added to the environment.
  pid_t Spawn(const std::vector<std::string>& args, const std::string& input = "",
              const std::vector<std::string>& env = {}) {
    std::string in = WriteFile("stdin", input);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, (dir_ + "/stdout").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, (dir_ + "/stderr").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> argv_strings = {SEEDCTL_BIN};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry = *e;
      if (entry.rfind("SEEDGATE_", 0) != 0) env_strings.push_back(entry);
    }
    env_strings.insert(env_strings.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, SEEDCTL_BIN, &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  Outcome Wait(pid_t pid) {
    Outcome run;
    int status = 0;
    for (int i = 0; i < 600; ++i) {  // 30 s
      if (waitpid(pid, &status, WNOHANG) == pid) {
        run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    if (run.exit_code == -1) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "seedctl did not finish in 30 s";
    }
    run.out = Slurp(dir_ + "/stdout");
    run.err = Slurp(dir_ + "/stderr");
    return run;
  }

  Outcome Seedctl(std::vector<std::string> args, const std::string& input = "",
                  const std::vector<std::string>& env = {}) {
    return Wait(Spawn(args, input, env));
  }

  std::unique_ptr<Stack> stack_;
  std::string dir_;
};

std::string UnaryAnswer(Stack& stack, const std::string& prompt) {
  grpc::ClientContext context;
  v1::ChatCompletion response;
  EXPECT_TRUE(stack.stub->CreateChatCompletion(&context, UserRequest(prompt), &response).ok());
  return response.choices(0).message().content();
}

TEST_F(SeedctlTest, ChatPipedPrintsTheAnswerAndAUsageLine) {
  Outcome run = Seedctl({"chat", "--target", Target(), "hello"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string answer = UnaryAnswer(*stack_, "hello");
  EXPECT_THAT(run.out, StartsWith(answer + "\n"));
  EXPECT_THAT(run.out,
              ::testing::MatchesRegex(
                  "(.|\n)*\nUsage: [0-9]+ prompt \\+ [0-9]+ completion = [0-9]+ tokens\n"));
  EXPECT_THAT(run.out, Not(HasSubstr("\x1b[")));
  EXPECT_EQ(stack_->emulator->stats().streams_started, 0) << "piped: no stream by default";
}

TEST_F(SeedctlTest, ChatStreamsWhenAsked) {
  Outcome run = Seedctl({"chat", "--target", Target(), "--stream", "hello #fake:delay_ms=2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, StartsWith(UnaryAnswer(*stack_, "hello") + "\n"));
  EXPECT_THAT(run.out, HasSubstr("\nUsage: "));
  EXPECT_TRUE(StreamsCompleted(*stack_->emulator, 1))
      << stack_->emulator->stats().streams_completed;
}

TEST_F(SeedctlTest, ThinkingShowsTheReasoningApart) {
  for (const char* mode : {"--stream", "--no-stream"}) {
    Outcome run = Seedctl({"chat", mode, "--target", Target(), "--thinking", "enabled", "why?"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_THAT(run.out, StartsWith("Reasoning:\n")) << mode;
    EXPECT_THAT(run.out, ::testing::MatchesRegex("Reasoning:\n.+\n\nAnswer:\n.+\n\nUsage: .*"
                                                 "\\([0-9]+ reasoning\\).*\n"))
        << mode << ": " << run.out;
  }
}

TEST_F(SeedctlTest, JsonPrintsTheResponseMessage) {
  Outcome run = Seedctl({"chat", "--json", "--target", Target(), "hello"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto response = nlohmann::json::parse(run.out);
  EXPECT_EQ(response["object"], "chat.completion");
  EXPECT_EQ(response["choices"][0]["message"]["content"], UnaryAnswer(*stack_, "hello"));
  EXPECT_EQ(response["choices"][0]["finish_reason"], "FINISH_REASON_STOP")
      << "proto field names are kept";

  run = Seedctl({"chat", "--json", "--stream", "--target", Target(), "hello"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(run.out, '\n', absl::SkipEmpty())) {
    auto chunk = nlohmann::json::parse(std::string(line));
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    ++lines;
  }
  EXPECT_GT(lines, 3);
}

TEST_F(SeedctlTest, ToolCallsArePrintedAsJson) {
  std::string tools = WriteFile("tools.json", R"([
    {"type": "function", "function": {"name": "get_weather", "description": "Weather now",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                     "required": ["city"]}}},
    {"type": "function", "function": {"name": "get_time",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}
  ])");
  for (const char* mode : {"--stream", "--no-stream"}) {
    Outcome run = Seedctl(
        {"chat", mode, "--target", Target(), "--tools", tools, "weather? #fake:parallel=2"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    size_t start = run.out.find("Tool calls:\n");
    ASSERT_NE(start, std::string::npos) << run.out;
    std::vector<std::string> lines =
        absl::StrSplit(run.out.substr(start + 12), '\n', absl::SkipEmpty());
    ASSERT_GE(lines.size(), 3u) << run.out;  // two calls and the usage line
    for (int i = 0; i < 2; ++i) {
      auto call = nlohmann::json::parse(lines[i]);
      EXPECT_EQ(call["index"], i);
      EXPECT_EQ(call["type"], "function");
      EXPECT_FALSE(call["id"].get<std::string>().empty());
      EXPECT_TRUE(nlohmann::json::parse(call["function"]["arguments"].get<std::string>())["city"]
                      .is_string())
          << mode << ": arguments reassembled from their fragments";
    }
    EXPECT_THAT(lines[2], StartsWith("Usage: "));
  }
}

TEST_F(SeedctlTest, Models) {
  Outcome run = Seedctl({"models", "--target", Target()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, StartsWith("MODEL "));
  EXPECT_THAT(run.out, HasSubstr("\ndoubao-seed-2.0-pro *  "));
  for (const char* model :
       {"doubao-seed-2.0-lite", "doubao-seed-2.0-mini", "doubao-seed-2.0-code"}) {
    EXPECT_THAT(run.out, HasSubstr(std::string("\n") + model + " "));
  }
}

TEST_F(SeedctlTest, TargetAndTokenFromTheEnvironment) {
  Outcome run =
      Seedctl({"models", "--json"}, "", {"SEEDGATE_TARGET=" + Target(), "SEEDGATE_TOKEN=t"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out)["default_model"], "doubao-seed-2.0-pro");
}

TEST_F(SeedctlTest, Health) {
  Outcome run = Seedctl({"health", "--target", Target()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "SERVING\n");

  run = Seedctl({"health", "--target", Target(), "--service", "no.such.Service"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("NOT_FOUND"));

  stack_->server->Shutdown(absl::ZeroDuration());
  run = Seedctl({"health", "--target", Target(), "--timeout", "2s"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("UNAVAILABLE"));
}

TEST_F(SeedctlTest, RpcErrorPrintsCodeReasonAndRetryDelay) {
  Outcome run = Seedctl({"chat", "--target", Target(), "fail #fake:error=429 #fake:retry_after=7"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("RESOURCE_EXHAUSTED: "));
  EXPECT_THAT(run.err, HasSubstr("reason: RATE_LIMIT_ERROR (domain evolink.ai)"));
  EXPECT_THAT(run.err, HasSubstr("retry after: 7s"));
  EXPECT_THAT(run.err, HasSubstr("request id: "));

  run = Seedctl({"chat", "--target", Target(), "--temperature", "5", "hi"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(run.err, HasSubstr("violations:\n    temperature: "));

  run = Seedctl({"chat", "--target", Target(), "--stream", "--timeout", "300ms",
                 "hi #fake:fault=stall_first_byte"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("DEADLINE_EXCEEDED"));
}

TEST_F(SeedctlTest, UsageErrorsExitWith2) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"chat"},
           {"chat", "--thinking", "maybe", "hi"},
           {"chat", "--tools", "/nonexistent.json", "hi"},
           {"models", "--nope"},
       }) {
    Outcome run = Seedctl(args);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_THAT(run.err, HasSubstr("seedctl --help"));
  }
  EXPECT_EQ(stack_->emulator->stats().requests, 0);
}

TEST_F(SeedctlTest, Help) {
  Outcome run = Seedctl({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("seedctl chat"));
  run = Seedctl({"chat", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("--response-format"));
}

TEST_F(SeedctlTest, PromptFromStdin) {
  Outcome run = Seedctl({"chat", "--target", Target(), "-"}, "hello");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, StartsWith(UnaryAnswer(*stack_, "hello") + "\n"));
}

TEST_F(SeedctlTest, CtrlCCancelsTheStreamUpstream) {
  pid_t pid =
      Spawn({"chat", "--stream", "--target", Target(), "long #fake:tokens=400 #fake:delay_ms=50"});
  // Interrupt once the answer has started to show.
  struct stat out {};
  for (int i = 0; i < 200 && (stat((dir_ + "/stdout").c_str(), &out) != 0 || out.st_size == 0);
       ++i) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_GT(out.st_size, 0);
  kill(pid, SIGINT);
  Outcome run = Wait(pid);
  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_FALSE(run.out.empty());
  EXPECT_THAT(run.err, HasSubstr("interrupted"));
  EXPECT_TRUE(stack_->emulator->WaitFor(
      [](const auto& s) { return s.streams_aborted_by_client == 1; }, milliseconds(3000)));
}

// Against a seedgate that lets only known callers in (tokens mode over TLS,
// and mutual TLS): the token from --token or SEEDGATE_TOKEN, the CA from
// --tls-ca, the client certificate from --tls-cert/--tls-key.
class SeedctlSecuredTest : public SeedctlTest {
 protected:
  static constexpr char kToken[] = "tok-seedctl-5a6b7c8d9e0f1a2b";

  void StartSecured(const std::string& mode) {
    ca_ = MakeCa();
    server_cert_ = MakeSignedCert(ca_, "localhost");
    config::ServerConfig config;
    config.access_log = "off";
    config.tls_cert = server_cert_.cert_file;
    config.tls_key = server_cert_.key_file;
    config.client_auth = mode;
    if (mode == "tokens") {
      config.client_tokens_file = WriteFile("tokens", std::string("ops ") + kToken + "\n");
    } else {
      config.tls_client_ca = ca_.cert_file;
    }
    stack_ = Stack::Start({}, config);
    ASSERT_NE(stack_, nullptr);
  }
  // The name the server certificate holds.
  std::string TlsTarget() const { return "localhost:" + std::to_string(stack_->server->port()); }

  TlsFiles ca_, server_cert_;
};

TEST_F(SeedctlSecuredTest, TokenFromTheFlagOrTheEnvironmentOverTls) {
  StartSecured("tokens");
  Outcome run = Seedctl(
      {"chat", "--target", TlsTarget(), "--tls-ca", ca_.cert_file, "--token", kToken, "hello"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, Not(::testing::IsEmpty()));
  EXPECT_EQ(stack_->emulator->stats().requests, 1);

  // Nothing need be on the command line, the token least of all.
  run = Seedctl({"models", "--json"}, "",
                {"SEEDGATE_TARGET=" + TlsTarget(), std::string("SEEDGATE_TOKEN=") + kToken,
                 "SEEDGATE_TLS_CA=" + ca_.cert_file});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out)["default_model"], "doubao-seed-2.0-pro");

  run = Seedctl({"chat", "--target", TlsTarget(), "--tls-ca", ca_.cert_file, "hello"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("UNAUTHENTICATED"));
  const std::string wrong = "tok-seedctl-0000000000000000";
  run = Seedctl({"chat", "--target", TlsTarget(), "--tls-ca", ca_.cert_file, "hello"}, "",
                {"SEEDGATE_TOKEN=" + wrong});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("UNAUTHENTICATED"));
  EXPECT_THAT(run.err, Not(HasSubstr(wrong))) << "never echoes a token";
  EXPECT_EQ(stack_->emulator->stats().requests, 1) << "refused calls cost no upstream call";

  // Plaintext to a TLS port fails.
  run = Seedctl({"chat", "--target", TlsTarget(), "--token", kToken, "--timeout", "3s", "hello"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("UNAVAILABLE"));
}

TEST_F(SeedctlSecuredTest, ClientCertificateForMutualTls) {
  StartSecured("mtls");
  TlsFiles ops = MakeSignedCert(ca_, "ops");
  Outcome run = Seedctl({"chat", "--target", TlsTarget(), "--tls-ca", ca_.cert_file, "--tls-cert",
                         ops.cert_file, "--tls-key", ops.key_file, "hello"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, Not(::testing::IsEmpty()));

  run = Seedctl(
      {"chat", "--target", TlsTarget(), "--tls-ca", ca_.cert_file, "--timeout", "3s", "hello"});
  EXPECT_EQ(run.exit_code, 1) << "no client certificate";
  EXPECT_THAT(run.err, HasSubstr("UNAVAILABLE"));

  run = Seedctl({"chat", "--target", TlsTarget(), "--tls-ca", ca_.cert_file, "--tls-cert",
                 ops.cert_file, "--tls-key", ops.dir + "/missing.key", "hello"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("missing.key"));
}

}  // namespace
}  // namespace seedgate::testing
