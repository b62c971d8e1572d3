#include "client/seedctl/flags.h"

#include <cmath>
#include <functional>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace seedgate::seedctl {
namespace {

constexpr unsigned kChat = 1, kModels = 2, kHealth = 4, kAll = 7;

unsigned Bit(Command command) {
  switch (command) {
    case Command::kChat:
      return kChat;
    case Command::kModels:
      return kModels;
    case Command::kHealth:
      return kHealth;
    case Command::kNone:
      return kAll;
  }
  return kAll;
}

// Sets a flag from its value; returns an error message or "".
using Setter = std::function<std::string(const std::string& value, Flags* flags)>;

struct Spec {
  bool takes_value;
  unsigned commands;  // where the flag is allowed
  Setter set;
};

std::string OneOf(const std::string& flag, const std::string& value,
                  const std::vector<std::string>& allowed, std::string* out) {
  for (const auto& a : allowed) {
    if (value == a) {
      *out = value;
      return "";
    }
  }
  return absl::StrCat("--", flag, " must be one of ", absl::StrJoin(allowed, ", "), ", not '",
                      value, "'");
}

const std::map<std::string, Spec>& Specs() {
  static const auto* specs = new std::map<std::string, Spec>{
      {"target",
       {true, kAll,
        [](const std::string& v, Flags* f) {
          if (v.empty()) return std::string("--target needs host:port");
          f->target = v;
          return std::string();
        }}},
      {"token",
       {true, kAll,
        [](const std::string& v, Flags* f) {
          f->token = v;
          return std::string();
        }}},
      {"tls",
       {false, kAll,
        [](const std::string&, Flags* f) {
          f->tls = true;
          return std::string();
        }}},
      {"tls-ca",
       {true, kAll,
        [](const std::string& v, Flags* f) {
          f->ca_file = v;
          f->tls = true;
          return std::string();
        }}},
      {"ca-file",  // the older name of --tls-ca
       {true, kAll,
        [](const std::string& v, Flags* f) {
          f->ca_file = v;
          f->tls = true;
          return std::string();
        }}},
      {"tls-cert",
       {true, kAll,
        [](const std::string& v, Flags* f) {
          f->cert_file = v;
          f->tls = true;
          return std::string();
        }}},
      {"tls-key",
       {true, kAll,
        [](const std::string& v, Flags* f) {
          f->key_file = v;
          f->tls = true;
          return std::string();
        }}},
      {"timeout",
       {true, kAll,
        [](const std::string& v, Flags* f) {
          f->timeout = ParseTimeout(v);
          return f->timeout ? std::string()
                            : "--timeout needs a duration such as 30s, 2m or 500ms, "
                              "not '" +
                                  v + "'";
        }}},
      {"json",
       {false, kChat | kModels | kHealth,
        [](const std::string&, Flags* f) {
          f->json = true;
          return std::string();
        }}},
      {"model",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          f->model = v;
          return std::string();
        }}},
      {"system",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          f->system = v;
          return std::string();
        }}},
      {"thinking",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          return OneOf("thinking", v, {"enabled", "disabled", "auto"}, &f->thinking);
        }}},
      {"reasoning-effort",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          return OneOf("reasoning-effort", v, {"minimal", "low", "medium", "high"},
                       &f->reasoning_effort);
        }}},
      {"max-tokens",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          int n = 0;
          if (!absl::SimpleAtoi(v, &n)) {
            return "--max-tokens needs a whole number, not '" + v + "'";
          }
          f->max_tokens = n;  // the server checks the range
          return std::string();
        }}},
      {"temperature",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          double t = 0;
          if (!absl::SimpleAtod(v, &t) || !std::isfinite(t)) {
            return "--temperature needs a number, not '" + v + "'";
          }
          f->temperature = t;  // the server checks the range
          return std::string();
        }}},
      {"image",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          f->media.push_back({Media::kImage, v});
          return std::string();
        }}},
      {"video",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          f->media.push_back({Media::kVideo, v});
          return std::string();
        }}},
      {"tools",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          f->tools_file = v;
          return std::string();
        }}},
      {"tool-choice",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          if (v.empty()) return std::string("--tool-choice needs a value");
          f->tool_choice = v;
          return std::string();
        }}},
      {"response-format",
       {true, kChat,
        [](const std::string& v, Flags* f) {
          f->response_format_file = v;
          return std::string();
        }}},
      {"stream",
       {false, kChat,
        [](const std::string&, Flags* f) {
          f->stream = true;
          return std::string();
        }}},
      {"no-stream",
       {false, kChat,
        [](const std::string&, Flags* f) {
          f->stream = false;
          return std::string();
        }}},
      {"service",
       {true, kHealth,
        [](const std::string& v, Flags* f) {
          f->service = v;
          return std::string();
        }}},
  };
  return *specs;
}

const char* CommandName(Command command) {
  switch (command) {
    case Command::kChat:
      return "chat";
    case Command::kModels:
      return "models";
    case Command::kHealth:
      return "health";
    case Command::kNone:
      return "";
  }
  return "";
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseTimeout(const std::string& text) {
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    if (!(seconds > 0) || !std::isfinite(seconds)) return std::nullopt;
    return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(seconds * 1000)));
  }
  absl::Duration duration;
  if (!absl::ParseDuration(text, &duration) || duration <= absl::ZeroDuration() ||
      duration == absl::InfiniteDuration()) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(duration));
}

bool ParseFlags(const std::vector<std::string>& args, Flags defaults, Flags* flags,
                std::string* error) {
  *flags = std::move(defaults);
  std::vector<std::string> positional;
  // Flags may come before or after the command; each is checked against the
  // command once it is known.
  std::vector<std::pair<std::string, std::string>> given;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positional.insert(positional.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg == "-h" || arg == "--help") {
      flags->help = true;
      continue;
    }
    if (arg.size() < 3 || arg.rfind("--", 0) != 0) {
      if (arg.size() > 1 && arg[0] == '-') {
        *error = "unknown flag " + arg;
        return false;
      }
      positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto spec = Specs().find(name);
    if (spec == Specs().end()) {
      *error = "unknown flag --" + name;
      return false;
    }
    if (spec->second.takes_value && !has_value) {
      if (i + 1 >= args.size()) {
        *error = "--" + name + " needs a value";
        return false;
      }
      value = args[++i];
    } else if (!spec->second.takes_value && has_value) {
      *error = "--" + name + " takes no value";
      return false;
    }
    given.emplace_back(name, value);
  }

  if (!positional.empty()) {
    const std::string& command = positional.front();
    if (command == "chat") {
      flags->command = Command::kChat;
    } else if (command == "models") {
      flags->command = Command::kModels;
    } else if (command == "health") {
      flags->command = Command::kHealth;
    } else if (command == "help") {
      flags->help = true;
      if (positional.size() > 1) {
        std::vector<std::string> rest(positional.begin() + 1, positional.end());
        rest.push_back("--help");
        return ParseFlags(rest, *flags, flags, error);
      }
      return true;
    } else {
      *error = "unknown command '" + command + "' (commands: chat, models, health)";
      return false;
    }
    positional.erase(positional.begin());
  }
  if (flags->help) return true;
  if (flags->command == Command::kNone) {
    *error = "no command given (commands: chat, models, health)";
    return false;
  }

  for (const auto& [name, value] : given) {
    const Spec& spec = Specs().at(name);
    if ((spec.commands & Bit(flags->command)) == 0) {
      *error = absl::StrCat("--", name, " does not apply to '", CommandName(flags->command), "'");
      return false;
    }
    if (std::string message = spec.set(value, flags); !message.empty()) {
      *error = message;
      return false;
    }
  }

  if (flags->cert_file.empty() != flags->key_file.empty()) {
    *error = "--tls-cert and --tls-key go together (mutual TLS): give both or neither";
    return false;
  }

  if (flags->command == Command::kChat) {
    if (positional.size() != 1) {
      *error = positional.empty() ? "chat needs a prompt (use - to read it from stdin)"
                                  : "chat takes one prompt; quote it";
      return false;
    }
    flags->prompt = positional.front();
  } else if (!positional.empty()) {
    *error = absl::StrCat("'", CommandName(flags->command), "' takes no arguments, got '",
                          positional.front(), "'");
    return false;
  }
  return true;
}

std::string MainHelp() {
  return R"(seedctl: talk to a seedgate server (the gRPC service seedgate.v1.ChatService).

Usage:
  seedctl chat [flags] "prompt"    ask a model; the answer streams to the terminal
  seedctl models [flags]           the models and what each supports
  seedctl health [flags]           SERVING or NOT_SERVING (exit code 0 or 1)
  seedctl help COMMAND             the flags of COMMAND (or: seedctl COMMAND --help)

Connection flags (every command):
  --target HOST:PORT   server address (default localhost:50051; env SEEDGATE_TARGET)
  --token TOKEN        sent as "authorization: Bearer TOKEN" (env SEEDGATE_TOKEN)
  --tls                use TLS, trusting the system's CAs
  --tls-ca FILE        use TLS, trusting the CAs in this PEM file (alias --ca-file;
                       env SEEDGATE_TLS_CA)
  --tls-cert FILE      mutual TLS: present this PEM client certificate (chain)...
  --tls-key FILE       ...with this PEM private key
  --timeout DURATION   deadline of the call: 30s, 2m, 500ms (default: chat 10m,
                       models 30s, health 5s)
  --json               print the response message as JSON (proto field names)

Exit codes: 0 success, 1 the call failed (the code, message and error details
go to stderr) or the server is not serving, 2 bad command line, 130 interrupted.
)";
}

std::string CommandHelp(Command command) {
  switch (command) {
    case Command::kChat:
      return R"(Usage: seedctl chat [flags] "prompt"

Sends one user message (after an optional system message) and prints the
answer. On a terminal the answer streams as it is generated and the model's
reasoning is shown dimmed; when the output is piped, the sections are headed
"Reasoning:" and "Answer:". Tool calls are printed as JSON, one per line,
after "Tool calls:", and a "Usage:" line ends the output. A prompt of "-" is
read from stdin.

Flags:
  --model NAME                 doubao-seed-2.0-pro (default), -lite, -mini, -code
  --system TEXT                a system message before the prompt
  --thinking MODE              enabled | disabled | auto
  --reasoning-effort LEVEL     minimal | low | medium | high
  --max-tokens N               longest answer, in tokens
  --temperature X              sampling temperature, 0 to 2
  --image URL                  attach an image (http(s) or data: URL); repeatable
  --video URL                  attach a video; repeatable
  --tools FILE.json            tools the model may call: a JSON array of
                               {"type":"function","function":{"name","description","parameters"}}
  --tool-choice CHOICE         none | auto | required | the name of one tool
  --response-format FILE.json  {"type":"json_object"} or
                               {"type":"json_schema","json_schema":{"name","schema",...}}
  --stream / --no-stream       stream or not (default: stream when stdout is a terminal)
  --json                       print the response as JSON; with --stream, one chunk per line
  plus the connection flags (seedctl --help)
)";
    case Command::kModels:
      return R"(Usage: seedctl models [flags]

Lists the models the server knows and what each supports; the default model
is marked with *. --json prints the ListModelsResponse instead.
Flags: the connection flags (seedctl --help).
)";
    case Command::kHealth:
      return R"(Usage: seedctl health [--service NAME] [flags]

Asks the standard gRPC health service. Prints SERVING and exits 0, or prints
the status (NOT_SERVING, SERVICE_UNKNOWN) and exits 1.
  --service NAME   one service's health (default: the server as a whole)
  plus the connection flags (seedctl --help)
)";
    case Command::kNone:
      break;
  }
  return MainHelp();
}

}  // namespace seedgate::seedctl
