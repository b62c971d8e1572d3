// seedctl's command line: the command, its flags, and the help texts.
#ifndef SEEDGATE_CLIENT_SEEDCTL_FLAGS_H_
#define SEEDGATE_CLIENT_SEEDCTL_FLAGS_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace seedgate::seedctl {

enum class Command { kNone, kChat, kModels, kHealth };

// An --image or --video, in command-line order.
struct Media {
  enum Kind { kImage, kVideo } kind;
  std::string url;
};

struct Flags {
  Command command = Command::kNone;
  bool help = false;  // --help: show the help of `command` (or the overview)

  // Connection, for every command.
  std::string target = "localhost:50051";  // --target, env SEEDGATE_TARGET
  std::string token;                       // --token, env SEEDGATE_TOKEN
  bool tls = false;
  std::string ca_file;    // --tls-ca (or --ca-file), env SEEDGATE_TLS_CA: implies tls
  std::string cert_file;  // --tls-cert, with --tls-key: mutual TLS
  std::string key_file;   // --tls-key
  std::optional<std::chrono::milliseconds> timeout;
  bool json = false;

  // chat
  std::string prompt;
  std::string model;
  std::string system;
  std::string thinking;          // enabled | disabled | auto
  std::string reasoning_effort;  // minimal | low | medium | high
  std::optional<int> max_tokens;
  std::optional<double> temperature;
  std::vector<Media> media;
  std::string tools_file;
  std::string tool_choice;  // none | auto | required | a function name
  std::string response_format_file;
  std::optional<bool> stream;  // unset: stream when stdout is a terminal

  // health
  std::string service;
};

// Parses argv[1..] over `defaults` (which carry the environment's target,
// token and CA file). On a usage error returns false and sets `error`.
bool ParseFlags(const std::vector<std::string>& args, Flags defaults, Flags* flags,
                std::string* error);

// "30s", "1.5m", "500ms", or a plain number of seconds.
std::optional<std::chrono::milliseconds> ParseTimeout(const std::string& text);

std::string MainHelp();
std::string CommandHelp(Command command);

}  // namespace seedgate::seedctl

#endif  // SEEDGATE_CLIENT_SEEDCTL_FLAGS_H_
