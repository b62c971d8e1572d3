// seedctl: a command-line client for seedgate (see `seedctl --help`).

#include <google/protobuf/util/json_util.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <thread>

#include "absl/strings/str_cat.h"
#include "client/channel.h"
#include "client/chat_client.h"
#include "client/seedctl/chat_renderer.h"
#include "client/seedctl/flags.h"
#include "client/seedctl/request_builder.h"
#include "client/stream_accumulator.h"

namespace seedgate::seedctl {
namespace {

constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2;

int UsageError(const std::string& message) {
  std::cerr << "seedctl: " << message << "\nRun 'seedctl --help' for usage.\n";
  return kExitUsage;
}

int CallFailed(const client::ClientError& error) {
  std::cerr << "seedctl: " << error.ToString() << "\n";
  return kExitFailed;
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

// Ctrl-C (or SIGTERM) cancels the running call instead of killing the
// process: seedgate then aborts the upstream request at once, and the
// terminal gets its colours back. The signals are blocked in every thread
// (gRPC's included, which start later) and taken by one waiting thread.
class Interrupts {
 public:
  explicit Interrupts(std::shared_ptr<client::Cancellation> cancellation)
      : cancellation_(std::move(cancellation)) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    std::thread([this] {
      int signal = 0;
      if (sigwait(&signals_, &signal) == 0) {
        signal_ = signal;
        cancellation_->Cancel();
      }
    }).detach();
  }
  bool interrupted() const { return signal_ != 0; }
  // The shell's convention: 128 + the signal (130 for Ctrl-C).
  int ReportAndExitCode() const {
    std::cerr << "seedctl: interrupted\n";
    return 128 + signal_;
  }

 private:
  sigset_t signals_;
  std::shared_ptr<client::Cancellation> cancellation_;
  std::atomic<int> signal_{0};
};

int Chat(const Flags& flags, client::ChatClient& client, const Interrupts& interrupts,
         std::shared_ptr<client::Cancellation> cancellation) {
  const std::string& prompt = flags.prompt;
  const bool terminal = isatty(STDOUT_FILENO) == 1;
  const bool stream = flags.stream.value_or(terminal);
  client::Result<v1::CreateChatCompletionRequest> request = BuildChatRequest(flags, prompt, stream);
  if (!request.ok()) return UsageError(request.error().message);

  client::CallOptions call;
  call.cancellation = std::move(cancellation);

  if (!stream) {
    client::Result<v1::ChatCompletion> response = client.Chat(*request, call);
    if (!response.ok()) {
      return interrupts.interrupted() ? interrupts.ReportAndExitCode()
                                      : CallFailed(response.error());
    }
    if (flags.json) {
      std::cout << ToJson(*response) << std::endl;
    } else {
      ChatRenderer(std::cout, terminal).ShowCompletion(*response);
    }
    return kExitOk;
  }

  ChatRenderer renderer(std::cout, terminal);
  client::StreamAccumulator answer;
  client::Result<void> status = client.StreamChat(
      *request,
      [&](const v1::ChatCompletionChunk& chunk) {
        if (flags.json) {
          std::cout << ToJson(chunk) << std::endl;
        } else {
          renderer.AddChunk(chunk);
        }
        answer.Add(chunk);
        return true;
      },
      call);
  if (!status.ok()) {
    renderer.Interrupt();
    if (interrupts.interrupted()) return interrupts.ReportAndExitCode();
    return CallFailed(status.error());
  }
  if (!flags.json) renderer.Finish(answer.completion());
  return kExitOk;
}

int Models(const Flags& flags, client::ChatClient& client) {
  client::Result<v1::ListModelsResponse> response = client.ListModels();
  if (!response.ok()) return CallFailed(response.error());
  if (flags.json) {
    std::cout << ToJson(*response) << std::endl;
    return kExitOk;
  }
  const std::vector<std::string> header = {"MODEL",      "TEXT",       "IMAGE",
                                           "VIDEO",      "THINKING",   "TOOLS",
                                           "STRUCTURED", "MAX OUTPUT", "DESCRIPTION"};
  std::vector<std::vector<std::string>> rows = {header};
  auto yes = [](bool b) { return std::string(b ? "yes" : "-"); };
  for (const v1::Model& m : response->models()) {
    rows.push_back({m.id() + (m.id() == response->default_model() ? " *" : ""),
                    yes(m.supports_text()), yes(m.supports_image_input()),
                    yes(m.supports_video_input()), yes(m.supports_thinking()),
                    yes(m.supports_tools()), yes(m.supports_structured_output()),
                    std::to_string(m.max_completion_tokens()), m.description()});
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
  if (!response->default_model().empty()) {
    std::cout << "\n* default model (used when a request names none)\n";
  }
  return kExitOk;
}

int Health(const Flags& flags, client::ChatClient& client) {
  client::Result<client::HealthStatus> status = client.HealthCheck(flags.service);
  if (!status.ok()) return CallFailed(status.error());
  std::string name = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(*status);
  if (flags.json) {
    std::cout << "{\"status\":\"" << name << "\"}" << std::endl;
  } else {
    std::cout << name << std::endl;
  }
  return *status == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk : kExitFailed;
}

int Main(int argc, char** argv) {
  Flags defaults;
  if (const char* target = std::getenv("SEEDGATE_TARGET"); target && *target) {
    defaults.target = target;
  }
  if (const char* token = std::getenv("SEEDGATE_TOKEN")) defaults.token = token;
  Flags flags;
  std::string error;
  if (!ParseFlags(std::vector<std::string>(argv + 1, argv + argc), defaults, &flags, &error)) {
    return UsageError(error);
  }
  if (flags.help) {
    std::cout << CommandHelp(flags.command);
    return kExitOk;
  }

  // Read before Ctrl-C is taken over below, so that it still stops the read.
  if (flags.command == Command::kChat && flags.prompt == "-") {
    flags.prompt.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }

  // Before the channel: gRPC's threads must inherit the blocked signals. Never
  // freed, since its thread may still wake up while the process exits; held
  // by a static so that it stays reachable (not a leak to LeakSanitizer).
  auto cancellation = std::make_shared<client::Cancellation>();
  static const Interrupts* const interrupts =
      flags.command == Command::kChat ? new Interrupts(cancellation) : nullptr;

  client::ChannelOptions channel_options;
  channel_options.target = flags.target;
  channel_options.tls = flags.tls;
  channel_options.ca_file = flags.ca_file;
  auto channel = client::CreateChannel(channel_options);
  if (!channel.ok()) return UsageError(channel.error().message);

  client::ClientOptions client_options;
  client_options.bearer_token = flags.token;
  switch (flags.command) {
    case Command::kChat:
      client_options.default_timeout = std::chrono::minutes(10);
      break;
    case Command::kModels:
      client_options.default_timeout = std::chrono::seconds(30);
      break;
    default:
      client_options.default_timeout = std::chrono::seconds(5);
      break;
  }
  if (flags.timeout) client_options.default_timeout = *flags.timeout;
  client::ChatClient client(*channel, client_options);

  switch (flags.command) {
    case Command::kChat:
      return Chat(flags, client, *interrupts, cancellation);
    case Command::kModels:
      return Models(flags, client);
    case Command::kHealth:
      return Health(flags, client);
    case Command::kNone:
      break;
  }
  return UsageError("no command given");
}

}  // namespace
}  // namespace seedgate::seedctl

int main(int argc, char** argv) { return seedgate::seedctl::Main(argc, argv); }
