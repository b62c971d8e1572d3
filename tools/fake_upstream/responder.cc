#include "tools/fake_upstream/responder.h"

#include <algorithm>
#include <boost/beast/http/status.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>

namespace seedgate::fake_upstream {

namespace http = boost::beast::http;

namespace {

using Json = nlohmann::ordered_json;

constexpr int kDefaultAnswerTokens = 12;
constexpr int kDefaultReasoningTokens = 6;
constexpr int kDefaultFaultAfter = 3;
constexpr int kMaxDirectiveTokens = 1000000;
constexpr size_t kToolArgFragment = 5;

// ---------------------------------------------------------------------------
// Errors

struct ErrorSpec {
  int code;
  const char* message;
  const char* type;
  const char* param;
  const char* fallback;
  const char* string_code;
};

// The documented errors of the reference (message/type/param/fallback from its examples).
const ErrorSpec kErrors[] = {
    {400, "Invalid request parameters", "invalid_request_error", nullptr, nullptr,
     "InvalidParameter"},
    {401, "Invalid or expired token", "authentication_error", nullptr, nullptr,
     "AuthenticationError"},
    {402, "Insufficient quota", "insufficient_quota_error", nullptr,
     "https://evolink.ai/dashboard/billing", "AccountOverdueError"},
    {403, "Access denied for this model", "permission_error", "model", nullptr, "AccessDenied"},
    {404, "Specified model not found", "not_found_error", "model", "doubao-seed-2.0-pro",
     "InvalidEndpointOrModel.NotFound"},
    {413, "Image file too large", "request_too_large_error", "content",
     "compress image to under 10MB", "RequestEntityTooLarge"},
    {429, "Rate limit exceeded", "rate_limit_error", nullptr, "retry after 60 seconds",
     "RateLimitExceeded"},
    {500, "Internal server error", "internal_server_error", nullptr, "try again later",
     "InternalServiceError"},
    {502, "Upstream AI service unavailable", "upstream_error", nullptr, "try different model",
     "BadGateway"},
    {503, "Service temporarily unavailable", "service_unavailable_error", nullptr,
     "retry after 30 seconds", "ServiceUnavailable"},
};

const ErrorSpec* FindError(int status) {
  for (const auto& e : kErrors) {
    if (e.code == status) return &e;
  }
  return nullptr;
}

struct ErrorInfo {
  int status;
  std::string message, type;
  std::optional<std::string> param, fallback;
};

ErrorInfo DocumentedError(int status) {
  ErrorInfo e{status, ReasonPhrase(status), "api_error", std::nullopt, std::nullopt};
  if (const ErrorSpec* s = FindError(status)) {
    e.message = s->message;
    e.type = s->type;
    if (s->param) e.param = s->param;
    if (s->fallback) e.fallback = s->fallback;
  }
  return e;
}

ErrorInfo BadRequest(const std::string& detail, const std::string& param) {
  return ErrorInfo{400, "Invalid request parameters: " + detail, "invalid_request_error", param,
                   std::nullopt};
}

// ---------------------------------------------------------------------------
// Directives

struct Directives {
  std::optional<int> tokens, reasoning_tokens, delay_ms, first_delay_ms, error, retry_after, after,
      parallel, times;
  std::string error_shape;  // string_code reason_phrase empty_param html text bare_message
  std::string fault;        // reset stall_first_byte stall malformed_json truncate error_event
                            // error_chunk
  std::string tool_calls;   // whole fragments
  std::string tool_args;    // valid invalid_json schema_violation unknown_tool (first call)
  std::string content;      // json_valid json_invalid schema_violation (structured output)
  bool number_tokens = false;
  bool stamp_tokens = false;
  SseStyle sse;
};

bool ParseInt(const std::string& s, int lo, int hi, int* out) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  long long v = std::stoll(s);
  if (v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

// Applies one key=value directive. Returns an error text or "".
std::string ApplyDirective(const std::string& key, const std::string& value, Directives* d) {
  auto int_field = [&](std::optional<int>* field, int lo, int hi) -> std::string {
    int v;
    if (!ParseInt(value, lo, hi, &v)) {
      return "directive #fake:" + key + " needs an integer in [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "]";
    }
    *field = v;
    return "";
  };
  auto one_of = [&](std::string* field, std::initializer_list<const char*> allowed) {
    for (const char* a : allowed) {
      if (value == a) {
        *field = value;
        return std::string();
      }
    }
    return "unknown value '" + value + "' for directive #fake:" + key;
  };
  if (key == "tokens") return int_field(&d->tokens, 0, kMaxDirectiveTokens);
  if (key == "reasoning_tokens") return int_field(&d->reasoning_tokens, 0, kMaxDirectiveTokens);
  if (key == "delay_ms") return int_field(&d->delay_ms, 0, 3600000);
  if (key == "first_delay_ms") return int_field(&d->first_delay_ms, 0, 3600000);
  if (key == "error") return int_field(&d->error, 400, 599);
  if (key == "retry_after") return int_field(&d->retry_after, 0, 86400);
  if (key == "after") return int_field(&d->after, 0, kMaxDirectiveTokens);
  if (key == "parallel") return int_field(&d->parallel, 1, 64);
  if (key == "times") return int_field(&d->times, 0, 1000000);
  if (key == "number_tokens") {
    d->number_tokens = value != "0" && value != "false";
    return "";
  }
  if (key == "stamp_tokens") {
    d->stamp_tokens = value != "0" && value != "false";
    return "";
  }
  if (key == "error_shape") {
    return one_of(&d->error_shape, {"json", "string_code", "reason_phrase", "empty_param", "html",
                                    "text", "bare_message"});
  }
  if (key == "fault") {
    return one_of(&d->fault, {"none", "reset", "stall_first_byte", "stall", "malformed_json",
                              "truncate", "error_event", "error_chunk"});
  }
  if (key == "tool_calls") return one_of(&d->tool_calls, {"whole", "fragments"});
  if (key == "tool_args") {
    return one_of(&d->tool_args, {"valid", "invalid_json", "schema_violation", "unknown_tool"});
  }
  if (key == "content") {
    return one_of(&d->content, {"json_valid", "json_invalid", "schema_violation"});
  }
  if (key == "sse") {
    if (value == "crlf") {
      d->sse.crlf = true;
    } else if (value == "cr") {
      d->sse.cr = true;
    } else if (value == "nospace") {
      d->sse.nospace = true;
    } else if (value == "multiline") {
      d->sse.multiline = true;
    } else if (value == "comments") {
      d->sse.comments = true;
    } else if (value == "split") {
      d->sse.split = true;
    } else if (value != "lf") {
      return "unknown value '" + value + "' for directive #fake:sse";
    }
    return "";
  }
  return "unknown emulator directive #fake:" + key;
}

// Removes every "#fake:key=value" token from `text`, collecting them.
std::string StripDirectives(const std::string& text,
                            std::vector<std::pair<std::string, std::string>>* found) {
  static const std::string kMarker = "#fake:";
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t p = text.find(kMarker, pos);
    if (p == std::string::npos) break;
    out.append(text, pos, p - pos);
    size_t end = p + kMarker.size();
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    std::string kv = text.substr(p + kMarker.size(), end - p - kMarker.size());
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      found->emplace_back(kv, "1");
    } else {
      found->emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    pos = end;
  }
  out.append(text, pos, std::string::npos);
  if (found->empty()) return text;
  // Tidy the whitespace the removal left behind.
  std::string tidy;
  bool space = false;
  for (char c : out) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !tidy.empty() && tidy.back() != '\n') tidy.push_back(' ');
    space = false;
    tidy.push_back(c);
  }
  return tidy;
}

// ---------------------------------------------------------------------------
// Helpers

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

// Splits `s` into pieces of about `n` bytes without cutting UTF-8 sequences.
std::vector<std::string> SplitUtf8(const std::string& s, size_t n) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = std::min(s.size(), i + n);
    while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
    out.push_back(s.substr(i, end - i));
    i = end;
  }
  return out;
}

// Splits JSON text into token-like pieces: after spaces, ',', ':', '{', '['.
std::vector<std::string> SplitJsonTokens(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    cur.push_back(s[i]);
    char c = s[i];
    bool boundary = c == ' ' || c == ',' || c == ':' || c == '{' || c == '[';
    if ((boundary && !(i + 1 < s.size() && s[i + 1] == ' ')) || cur.size() >= 16) {
      // Do not cut inside a UTF-8 sequence.
      if (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) continue;
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Splits serialized JSON into lines at commas outside strings (a newline there is legal).
std::vector<std::string> SplitJsonLines(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_string = false, escape = false;
  for (char c : s) {
    cur.push_back(c);
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Collects the text of a message's content (string or text parts).
std::string MessageText(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string text;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
          part["text"].is_string()) {
        if (!text.empty()) text.push_back(' ');
        text += part["text"].get<std::string>();
      }
    }
  }
  return text;
}

int ContentMediaTokens(const Json& content) {
  int n = 0;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (!part.is_object()) continue;
      std::string type = part.value("type", "");
      if (type == "image_url") n += 85;
      if (type == "video_url") n += 256;
    }
  }
  return n;
}

// A JSON instance generated from a JSON schema.
Json Instance(const Json& schema, const Json& root, int depth, const std::string& name) {
  if (depth > 12 || !schema.is_object()) return "example";
  if (schema.contains("$ref") && schema["$ref"].is_string()) {
    std::string ref = schema["$ref"].get<std::string>();
    if (ref.rfind("#", 0) == 0) {
      try {
        Json::json_pointer ptr(ref.substr(1));
        if (root.contains(ptr)) return Instance(root.at(ptr), root, depth + 1, name);
      } catch (const std::exception&) {
      }
    }
    return "example";
  }
  if (schema.contains("const")) return schema["const"];
  if (schema.contains("enum") && schema["enum"].is_array() && !schema["enum"].empty()) {
    return schema["enum"][0];
  }
  for (const char* key : {"anyOf", "oneOf", "allOf"}) {
    if (schema.contains(key) && schema[key].is_array() && !schema[key].empty()) {
      for (const auto& alt : schema[key]) {
        if (alt.is_object() && alt.value("type", "") == "null") continue;
        return Instance(alt, root, depth + 1, name);
      }
    }
  }
  std::string type;
  if (schema.contains("type")) {
    const Json& t = schema["type"];
    if (t.is_string()) {
      type = t.get<std::string>();
    } else if (t.is_array()) {
      for (const auto& x : t) {
        if (x.is_string() && x.get<std::string>() != "null") {
          type = x.get<std::string>();
          break;
        }
      }
      if (type.empty()) type = "null";
    }
  } else if (schema.contains("properties")) {
    type = "object";
  } else if (schema.contains("items")) {
    type = "array";
  }
  if (type == "object") {
    Json obj = Json::object();
    if (schema.contains("properties") && schema["properties"].is_object()) {
      for (const auto& [key, sub] : schema["properties"].items()) {
        obj[key] = Instance(sub, root, depth + 1, key);
      }
    }
    if (schema.contains("required") && schema["required"].is_array()) {
      for (const auto& r : schema["required"]) {
        if (r.is_string() && !obj.contains(r.get<std::string>())) {
          obj[r.get<std::string>()] = "example";
        }
      }
    }
    return obj;
  }
  if (type == "array") {
    Json arr = Json::array();
    int count = 1;
    if (schema.contains("minItems") && schema["minItems"].is_number_integer()) {
      count = std::clamp(schema["minItems"].get<int>(), 1, 3);
    }
    Json items = schema.contains("items") ? schema["items"] : Json::object();
    for (int i = 0; i < count; ++i) arr.push_back(Instance(items, root, depth + 1, name));
    return arr;
  }
  if (type == "integer" || type == "number") {
    double v = type == "integer" ? 1 : 1.5;
    if (schema.contains("minimum") && schema["minimum"].is_number()) {
      v = std::max(v, schema["minimum"].get<double>());
    }
    if (schema.contains("exclusiveMinimum") && schema["exclusiveMinimum"].is_number()) {
      v = std::max(v, schema["exclusiveMinimum"].get<double>() + 1);
    }
    if (schema.contains("maximum") && schema["maximum"].is_number()) {
      v = std::min(v, schema["maximum"].get<double>());
    }
    if (type == "integer") return static_cast<int64_t>(std::ceil(v));
    return v;
  }
  if (type == "boolean") return true;
  if (type == "null") return nullptr;
  // string (or unknown)
  std::string format = schema.value("format", "");
  if (format == "date-time") return "2026-01-01T00:00:00Z";
  if (format == "date") return "2026-01-01";
  if (format == "email") return "user@example.com";
  if (format == "uri" || format == "url") return "https://example.com";
  if (format == "uuid") return "00000000-0000-4000-8000-000000000000";
  return name.empty() ? std::string("example") : "example " + name;
}

Json UsageJson(int prompt, int completion, int reasoning) {
  Json u;
  u["prompt_tokens"] = prompt;
  u["completion_tokens"] = completion;
  u["total_tokens"] = prompt + completion;
  u["prompt_tokens_details"] = Json{{"cached_tokens", 0}};
  u["completion_tokens_details"] = Json{{"reasoning_tokens", reasoning}};
  return u;
}

Json Bytes(const std::string& s) {
  Json b = Json::array();
  for (unsigned char c : s) b.push_back(static_cast<int>(c));
  return b;
}

Json LogprobEntry(const std::string& token, uint32_t index, int top) {
  double lp = -(0.01 + 0.05 * static_cast<double>(index % 7));
  Json e;
  e["token"] = token;
  e["bytes"] = Bytes(token);
  e["logprob"] = lp;
  Json tops = Json::array();
  for (int k = 0; k < top; ++k) {
    Json t;
    std::string tok = k == 0 ? token : "alt" + std::to_string(k) + " ";
    t["token"] = tok;
    t["bytes"] = Bytes(tok);
    t["logprob"] = k == 0 ? lp : lp - 1.0 - k;
    tops.push_back(std::move(t));
  }
  e["top_logprobs"] = std::move(tops);
  return e;
}

std::string NumberedFiller(int i) { return "w" + std::to_string(i); }

bool IsNumber(const Json& v) { return v.is_number(); }

}  // namespace

// ---------------------------------------------------------------------------

std::string ReasonPhrase(int status) {
  if (status < 100 || status > 999) return "Unknown";
  return std::string(http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status))));
}

std::string ErrorJson(int code, const std::string& message, const std::string& type,
                      const std::string* param, const std::string* fallback) {
  Json e;
  e["code"] = code;
  e["message"] = message;
  e["type"] = type;
  if (param) e["param"] = *param;
  if (fallback) e["fallback_suggestion"] = *fallback;
  return Json{{"error", std::move(e)}}.dump();
}

namespace {

HttpReply RenderError(const ErrorInfo& e, const Directives& d, const std::string& request_id) {
  HttpReply r;
  r.status = e.status;
  r.headers.emplace_back("x-request-id", request_id);
  if (d.retry_after) r.headers.emplace_back("Retry-After", std::to_string(*d.retry_after));
  const std::string& shape = d.error_shape;
  std::string reason = ReasonPhrase(e.status);
  if (shape == "html") {
    r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
    std::string title = std::to_string(e.status) + " " + reason;
    r.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
             title + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    return r;
  }
  if (shape == "text") {
    r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    r.body = std::to_string(e.status) + " " + reason + ": " + e.message + "\n";
    return r;
  }
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  if (shape == "bare_message") {
    r.body = Json{{"message", e.message}}.dump();
    return r;
  }
  Json err;
  if (shape == "string_code") {
    const ErrorSpec* s = FindError(e.status);
    err["code"] = s ? s->string_code : "UnknownError";
  } else {
    err["code"] = e.status;
  }
  err["message"] = e.message;
  err["type"] = shape == "reason_phrase" ? reason : e.type;
  if (shape == "empty_param") {
    err["param"] = "";
  } else if (e.param) {
    err["param"] = *e.param;
  }
  if (e.fallback) err["fallback_suggestion"] = *e.fallback;
  r.body = Json{{"error", std::move(err)}}.dump();
  return r;
}

// Validates the request body; returns an error or nullopt.
std::optional<ErrorInfo> Validate(const Json& body) {
  auto range = [&](const char* key, double lo, double hi,
                   bool integer) -> std::optional<ErrorInfo> {
    if (!body.contains(key) || body[key].is_null()) return std::nullopt;
    const Json& v = body[key];
    if (integer ? !v.is_number_integer() : !IsNumber(v)) {
      return BadRequest(std::string(key) + " must be " + (integer ? "an integer" : "a number"),
                        key);
    }
    double x = v.get<double>();
    if (x < lo || x > hi) {
      std::ostringstream msg;
      msg << key << " must be in [" << lo << ", " << hi << "], got " << v.dump();
      return BadRequest(msg.str(), key);
    }
    return std::nullopt;
  };
  auto boolean = [&](const char* key) -> std::optional<ErrorInfo> {
    if (body.contains(key) && !body[key].is_null() && !body[key].is_boolean()) {
      return BadRequest(std::string(key) + " must be a boolean", key);
    }
    return std::nullopt;
  };
  for (auto check :
       {range("temperature", 0, 2, false), range("top_p", 0, 1, false),
        range("frequency_penalty", -2, 2, false), range("presence_penalty", -2, 2, false),
        range("max_completion_tokens", 0, 65536, false), range("max_tokens", 1, 1e9, false),
        range("top_logprobs", 0, 20, false), boolean("stream"), boolean("logprobs"),
        boolean("parallel_tool_calls")}) {
    if (check) return check;
  }
  // Integer-ness of the token counts.
  for (const char* key : {"max_completion_tokens", "max_tokens", "top_logprobs"}) {
    if (auto e = range(key, -1e18, 1e18, true)) return e;
  }
  bool has_max_tokens = body.contains("max_tokens") && !body["max_tokens"].is_null();
  bool has_mct = body.contains("max_completion_tokens") && !body["max_completion_tokens"].is_null();
  if (has_max_tokens && has_mct) {
    return BadRequest("max_tokens and max_completion_tokens cannot be set at the same time",
                      "max_tokens");
  }
  if (body.contains("top_logprobs") && body["top_logprobs"].is_number_integer() &&
      body["top_logprobs"].get<int64_t>() > 0 && !body.value("logprobs", false)) {
    return BadRequest("top_logprobs can only be set when logprobs is true", "top_logprobs");
  }
  if (body.contains("logit_bias") && !body["logit_bias"].is_null()) {
    const Json& lb = body["logit_bias"];
    if (!lb.is_object()) return BadRequest("logit_bias must be an object", "logit_bias");
    for (const auto& [k, v] : lb.items()) {
      bool digits = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      });
      if (!digits) return BadRequest("logit_bias keys must be token ids", "logit_bias");
      if (!v.is_number_integer() || v.get<int64_t>() < -100 || v.get<int64_t>() > 100) {
        return BadRequest("logit_bias values must be integers in [-100, 100]", "logit_bias");
      }
    }
  }
  if (body.contains("stop") && !body["stop"].is_null()) {
    const Json& stop = body["stop"];
    if (stop.is_array()) {
      if (stop.size() > 4) return BadRequest("stop supports up to 4 strings", "stop");
      for (const auto& s : stop) {
        if (!s.is_string()) return BadRequest("stop must be a string or strings", "stop");
      }
    } else if (!stop.is_string()) {
      return BadRequest("stop must be a string or an array of strings", "stop");
    }
  }
  if (body.contains("thinking") && !body["thinking"].is_null()) {
    const Json& t = body["thinking"];
    std::string type = t.is_object() && t.contains("type") && t["type"].is_string()
                           ? t["type"].get<std::string>()
                           : "";
    if (type != "enabled" && type != "disabled" && type != "auto") {
      return BadRequest("thinking.type must be one of enabled, disabled, auto", "thinking.type");
    }
  }
  if (body.contains("reasoning_effort") && !body["reasoning_effort"].is_null()) {
    const Json& r = body["reasoning_effort"];
    static const std::set<std::string> kEfforts = {"minimal", "low", "medium", "high"};
    if (!r.is_string() || !kEfforts.count(r.get<std::string>())) {
      return BadRequest("reasoning_effort must be one of minimal, low, medium, high",
                        "reasoning_effort");
    }
  }
  if (body.contains("stream_options") && !body["stream_options"].is_null()) {
    const Json& so = body["stream_options"];
    if (!so.is_object()) return BadRequest("stream_options must be an object", "stream_options");
    for (const char* k : {"include_usage", "chunk_include_usage"}) {
      if (so.contains(k) && !so[k].is_null() && !so[k].is_boolean()) {
        return BadRequest(std::string("stream_options.") + k + " must be a boolean",
                          std::string("stream_options.") + k);
      }
    }
  }
  if (body.contains("response_format") && !body["response_format"].is_null()) {
    const Json& rf = body["response_format"];
    std::string type = rf.is_object() && rf.contains("type") && rf["type"].is_string()
                           ? rf["type"].get<std::string>()
                           : "";
    if (type != "text" && type != "json_object" && type != "json_schema") {
      return BadRequest("response_format.type must be one of text, json_object, json_schema",
                        "response_format.type");
    }
    if (type == "json_schema") {
      const Json* js = rf.contains("json_schema") ? &rf["json_schema"] : nullptr;
      if (!js || !js->is_object()) {
        return BadRequest("response_format.json_schema is required", "response_format.json_schema");
      }
      if (!js->contains("name") || !(*js)["name"].is_string()) {
        return BadRequest("response_format.json_schema.name is required",
                          "response_format.json_schema.name");
      }
      if (!js->contains("schema") || !(*js)["schema"].is_object()) {
        return BadRequest("response_format.json_schema.schema must be a JSON schema object",
                          "response_format.json_schema.schema");
      }
    }
  }
  std::set<std::string> tool_names;
  if (body.contains("tools") && !body["tools"].is_null()) {
    const Json& tools = body["tools"];
    if (!tools.is_array()) return BadRequest("tools must be an array", "tools");
    for (size_t i = 0; i < tools.size(); ++i) {
      const Json& t = tools[i];
      std::string p = "tools[" + std::to_string(i) + "]";
      if (!t.is_object() || t.value("type", "") != "function") {
        return BadRequest(p + ".type must be function", p + ".type");
      }
      if (!t.contains("function") || !t["function"].is_object() ||
          !t["function"].contains("name") || !t["function"]["name"].is_string() ||
          t["function"]["name"].get<std::string>().empty()) {
        return BadRequest(p + ".function.name is required", p + ".function.name");
      }
      if (t["function"].contains("parameters") && !t["function"]["parameters"].is_null() &&
          !t["function"]["parameters"].is_object()) {
        return BadRequest(p + ".function.parameters must be a JSON schema object",
                          p + ".function.parameters");
      }
      tool_names.insert(t["function"]["name"].get<std::string>());
    }
  }
  if (body.contains("tool_choice") && !body["tool_choice"].is_null()) {
    const Json& tc = body["tool_choice"];
    if (tc.is_string()) {
      std::string s = tc.get<std::string>();
      if (s != "none" && s != "auto" && s != "required") {
        return BadRequest("tool_choice must be none, auto, required or an object", "tool_choice");
      }
      if (s == "required" && tool_names.empty()) {
        return BadRequest("tool_choice required needs tools", "tool_choice");
      }
    } else if (tc.is_object()) {
      if (tc.value("type", "") != "function" || !tc.contains("function") ||
          !tc["function"].is_object() || !tc["function"].contains("name") ||
          !tc["function"]["name"].is_string()) {
        return BadRequest("tool_choice.function.name is required", "tool_choice");
      }
      if (!tool_names.count(tc["function"]["name"].get<std::string>())) {
        return BadRequest("tool_choice names a tool that is not in tools", "tool_choice");
      }
    } else {
      return BadRequest("tool_choice must be a string or an object", "tool_choice");
    }
  }
  return std::nullopt;
}

std::optional<ErrorInfo> ValidateMessages(const Json& messages) {
  static const std::set<std::string> kRoles = {"user", "assistant", "system", "tool"};
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& m = messages[i];
    std::string p = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return BadRequest(p + " must be an object", p);
    if (!m.contains("role") || !m["role"].is_string() ||
        !kRoles.count(m["role"].get<std::string>())) {
      return BadRequest(p + ".role must be one of user, assistant, system, tool", p + ".role");
    }
    std::string role = m["role"].get<std::string>();
    bool has_content = m.contains("content") && !m["content"].is_null();
    if (!has_content) {
      bool ok = role == "assistant" && m.contains("tool_calls") && m["tool_calls"].is_array();
      if (!ok) return BadRequest(p + ".content is required", p + ".content");
      continue;
    }
    if (role == "tool" && (!m.contains("tool_call_id") || !m["tool_call_id"].is_string())) {
      return BadRequest(p + ".tool_call_id is required for tool messages", p + ".tool_call_id");
    }
    const Json& c = m["content"];
    if (c.is_string()) continue;
    if (!c.is_array())
      return BadRequest(p + ".content must be a string or an array", p + ".content");
    for (size_t j = 0; j < c.size(); ++j) {
      const Json& part = c[j];
      std::string pp = p + ".content[" + std::to_string(j) + "]";
      std::string type = part.is_object() ? part.value("type", "") : "";
      if (type == "text") {
        if (!part.contains("text") || !part["text"].is_string()) {
          return BadRequest(pp + ".text must be a string", pp + ".text");
        }
      } else if (type == "image_url" || type == "video_url") {
        if (!part.contains(type) || !part[type].is_object() || !part[type].contains("url") ||
            !part[type]["url"].is_string() || part[type]["url"].get<std::string>().empty()) {
          return BadRequest(pp + "." + type + ".url is required", pp + "." + type + ".url");
        }
        if (type == "video_url" && part[type].contains("fps") && !part[type]["fps"].is_null()) {
          const Json& fps = part[type]["fps"];
          if (!fps.is_number() || fps.get<double>() < 0.2 || fps.get<double>() > 5) {
            return BadRequest("fps must be in [0.2, 5]", pp + ".video_url.fps");
          }
        }
        if (type == "image_url" && part[type].contains("detail") &&
            !part[type]["detail"].is_null()) {
          const Json& d = part[type]["detail"];
          if (!d.is_string() || (d != "low" && d != "high" && d != "xhigh")) {
            return BadRequest("detail must be one of low, high, xhigh", pp + ".image_url.detail");
          }
        }
      } else {
        return BadRequest(pp + ".type must be one of text, image_url, video_url", pp + ".type");
      }
    }
  }
  return std::nullopt;
}

const char* VersionedModel(const std::string& model) {
  static const std::pair<const char*, const char*> kModels[] = {
      {"doubao-seed-2.0-pro", "doubao-seed-2-0-pro-260215"},
      {"doubao-seed-2.0-lite", "doubao-seed-2-0-lite-260215"},
      {"doubao-seed-2.0-mini", "doubao-seed-2-0-mini-260215"},
      {"doubao-seed-2.0-code", "doubao-seed-2-0-code-preview-260215"},
  };
  for (const auto& [name, versioned] : kModels) {
    if (model == name || model == versioned) return versioned;
  }
  return nullptr;
}

// Directives tool_args / content: a generated JSON document made deliberately
// wrong. invalid_json (json_invalid): the text loses its last character (an object without
// its closing brace). schema_violation: the first required property of an
// object is removed; with none required, the document becomes the string
// "not an object" (which breaks `"type": "object"` and json_object).
std::string Spoiled(const Json& document, const Json& schema, const std::string& how) {
  if (how == "invalid_json" || how == "json_invalid") {
    std::string text = document.dump();
    text.pop_back();
    return text;
  }
  if (how == "schema_violation") {
    if (document.is_object() && schema.is_object() && schema.contains("required") &&
        schema["required"].is_array()) {
      for (const auto& name : schema["required"]) {
        if (name.is_string() && document.contains(name.get<std::string>())) {
          Json spoiled = document;
          spoiled.erase(name.get<std::string>());
          return spoiled.dump();
        }
      }
    }
    return Json("not an object").dump();
  }
  return document.dump();
}

struct ToolCallOut {
  std::string id, name, arguments;
  std::vector<std::string> fragments;
};

}  // namespace

// ---------------------------------------------------------------------------

Responder::Responder(ResponderConfig config) : config_(std::move(config)) {}

std::string Responder::NewRequestId() {
  // Shaped like the real ids: "021" + ms timestamp + hex.
  uint64_t seq = ++request_seq_;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  char buf[96];
  std::snprintf(buf, sizeof(buf), "021%013lld%016llx%08llx", static_cast<long long>(ms),
                static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(this)),
                static_cast<unsigned long long>(seq));
  return buf;
}

int Responder::CountScenario(const std::string& scenario) {
  std::lock_guard<std::mutex> lock(scenarios_mu_);
  return ++scenario_counts_[scenario];
}

std::string Responder::NewToolCallId() { return "call_" + std::to_string(++tool_call_seq_); }

Plan Responder::HandleChatCompletion(const HttpRequestData& request) {
  Plan plan;
  plan.request_id = NewRequestId();
  plan.token_delay = config_.token_delay;
  Directives directives;
  auto fail = [&](const ErrorInfo& e) {
    plan.kind = Plan::Kind::kReply;
    plan.is_stream = false;
    plan.reply = RenderError(e, directives, plan.request_id);
    return plan;
  };

  // Authentication first, like the real API.
  std::string key;
  if (auto it = request.headers.find("authorization"); it != request.headers.end()) {
    const std::string& v = it->second;
    if (v.size() > 7 && (v.compare(0, 7, "Bearer ") == 0 || v.compare(0, 7, "bearer ") == 0)) {
      key = v.substr(7);
      while (!key.empty() && key.front() == ' ') key.erase(key.begin());
      while (!key.empty() && key.back() == ' ') key.pop_back();
    }
  }
  if (key.empty() || (!config_.api_key.empty() && key != config_.api_key)) {
    return fail(DocumentedError(401));
  }

  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return fail(BadRequest("request body must be a JSON object", "body"));
  }
  if (!body.contains("messages") || body["messages"].is_null()) {
    return fail(BadRequest("messages is required", "messages"));
  }
  Json& messages = body["messages"];
  if (!messages.is_array()) return fail(BadRequest("messages must be an array", "messages"));
  if (messages.empty()) {
    return fail(BadRequest("messages must contain at least one message", "messages"));
  }
  if (auto e = ValidateMessages(messages)) return fail(*e);

  // Scenario directives live in the last user message; strip them.
  int last_user = -1;
  for (int i = static_cast<int>(messages.size()) - 1; i >= 0; --i) {
    if (messages[i]["role"] == "user") {
      last_user = i;
      break;
    }
  }
  std::vector<std::pair<std::string, std::string>> found;
  if (last_user >= 0) {
    Json& content = messages[last_user]["content"];
    if (content.is_string()) {
      content = StripDirectives(content.get<std::string>(), &found);
    } else if (content.is_array()) {
      for (auto& part : content) {
        if (part.value("type", "") == "text") {
          part["text"] = StripDirectives(part["text"].get<std::string>(), &found);
        }
      }
    }
  }
  for (const auto& [k, v] : found) {
    std::string err = ApplyDirective(k, v, &directives);
    if (!err.empty()) return fail(BadRequest(err, "messages"));
  }
  if (directives.times) {
    // The same scenario (the same last user message and directives) fails
    // only its first `times` requests: retries can then succeed.
    std::string scenario = last_user >= 0 ? messages[last_user].dump() : "";
    for (const auto& [k, v] : found) scenario += "\n" + k + "=" + v;
    if (CountScenario(scenario) > *directives.times) {
      directives.error.reset();
      directives.fault.clear();
    }
  }
  if (directives.first_delay_ms)
    plan.first_delay = std::chrono::milliseconds(*directives.first_delay_ms);
  if (directives.delay_ms) plan.token_delay = std::chrono::milliseconds(*directives.delay_ms);

  const bool stream = body.value("stream", false) == true;
  const std::string& fault = directives.fault;
  if (fault == "stall_first_byte") {
    plan.kind = Plan::Kind::kStallForever;
    plan.is_stream = stream;
    return plan;
  }
  if (directives.error) return fail(DocumentedError(*directives.error));

  // Model.
  std::string model_name = "doubao-seed-2.0-pro";
  if (body.contains("model") && !body["model"].is_null()) {
    if (!body["model"].is_string()) return fail(BadRequest("model must be a string", "model"));
    model_name = body["model"].get<std::string>();
  }
  const char* versioned = VersionedModel(model_name);
  if (!versioned) {
    ErrorInfo e = DocumentedError(404);
    e.message = "The model " + model_name + " does not exist or you do not have access to it";
    return fail(e);
  }
  if (auto e = Validate(body)) return fail(*e);

  // ---- Generate the output.
  std::string last_text = last_user >= 0 ? MessageText(messages[last_user]["content"]) : "";
  int prompt_tokens = 0;
  for (const auto& m : messages) {
    prompt_tokens += 4;
    if (m.contains("content") && !m["content"].is_null()) {
      prompt_tokens += static_cast<int>(Words(MessageText(m["content"])).size());
      prompt_tokens += ContentMediaTokens(m["content"]);
    }
  }

  // Thinking.
  bool thinking = false;
  if (body.contains("thinking") && body["thinking"].is_object()) {
    std::string t = body["thinking"]["type"].get<std::string>();
    thinking = t == "enabled" || (t == "auto" && last_text.find('?') != std::string::npos);
  }
  if (body.value("reasoning_effort", Json()) == "minimal") thinking = false;
  std::vector<std::string> reasoning;
  if (thinking) {
    static const char* kThoughts[] = {"Let", "me", "think", "about", "this", "carefully."};
    int n = directives.reasoning_tokens.value_or(kDefaultReasoningTokens);
    for (int i = 0; i < n; ++i) {
      std::string w = i < 6 ? kThoughts[i] : "r" + std::to_string(i + 1);
      reasoning.push_back(i + 1 < n ? w + " " : w);
    }
  }

  // Tool calls?
  std::vector<ToolCallOut> calls;
  bool tools_given = body.contains("tools") && body["tools"].is_array() && !body["tools"].empty();
  Json tool_choice = body.contains("tool_choice") ? body["tool_choice"] : Json();
  bool tool_mode = false;
  if (tools_given && tool_choice != "none") {
    bool after_tool_result = messages.back()["role"] == "tool";
    bool forced = tool_choice == "required" || tool_choice.is_object();
    tool_mode = forced || !after_tool_result;
  }
  std::vector<std::string> content_tokens;
  std::string finish = "stop";
  int answer_budget = INT32_MAX;
  if (body.contains("max_tokens") && body["max_tokens"].is_number()) {
    answer_budget =
        static_cast<int>(std::min<int64_t>(body["max_tokens"].get<int64_t>(), INT32_MAX));
  }
  if (body.contains("max_completion_tokens") && body["max_completion_tokens"].is_number()) {
    int mct = body["max_completion_tokens"].get<int>();
    if (static_cast<int>(reasoning.size()) > mct) {
      reasoning.resize(mct);
      finish = "length";
    }
    answer_budget = mct - static_cast<int>(reasoning.size());
  }

  if (tool_mode) {
    const Json& tools = body["tools"];
    std::vector<const Json*> chosen;
    if (tool_choice.is_object()) {
      std::string name = tool_choice["function"]["name"].get<std::string>();
      for (const auto& t : tools) {
        if (t["function"]["name"] == name) chosen.push_back(&t);
      }
    } else {
      for (const auto& t : tools) chosen.push_back(&t);
    }
    int n = directives.parallel.value_or(1);
    if (body.value("parallel_tool_calls", true) == false) n = 1;
    int budget = answer_budget;
    for (int i = 0; i < n; ++i) {
      const Json& fn = (*chosen[i % chosen.size()])["function"];
      ToolCallOut call;
      call.id = NewToolCallId();
      call.name = fn["name"].get<std::string>();
      Json params = fn.contains("parameters") && fn["parameters"].is_object()
                        ? fn["parameters"]
                        : Json{{"type", "object"}};
      Json arguments = Instance(params, params, 0, "");
      call.arguments = arguments.dump();
      if (i == 0 && !directives.tool_args.empty()) {
        call.arguments = Spoiled(arguments, params, directives.tool_args);
        if (directives.tool_args == "unknown_tool") call.name = "undeclared_function";
      }
      call.fragments = SplitUtf8(call.arguments, kToolArgFragment);
      if (static_cast<int>(call.fragments.size()) > budget) {
        call.fragments.resize(std::max(budget, 0));
        call.arguments.clear();
        for (const auto& f : call.fragments) call.arguments += f;
        finish = "length";
      }
      budget -= static_cast<int>(call.fragments.size());
      calls.push_back(std::move(call));
      if (budget <= 0) break;
    }
    if (finish != "length") finish = "tool_calls";
  } else {
    // The answer sentence.
    std::vector<std::string> words;
    int n = directives.tokens.value_or(kDefaultAnswerTokens);
    if (directives.number_tokens) {
      for (int i = 0; i < n; ++i) words.push_back("t" + std::to_string(i));
    } else {
      words = {"Emulated", "answer", "to:"};
      std::vector<std::string> prompt_words = Words(last_text);
      if (prompt_words.empty()) prompt_words = {"(no", "text)"};
      for (size_t i = 0; i < prompt_words.size() && i < 6; ++i) words.push_back(prompt_words[i]);
      if (prompt_words.size() > 6) words.back() += "...";
      for (int i = 1; static_cast<int>(words.size()) < n; ++i) words.push_back(NumberedFiller(i));
      if (static_cast<int>(words.size()) > n) words.resize(n);
    }
    std::string sentence;
    for (size_t i = 0; i < words.size(); ++i) {
      content_tokens.push_back(i + 1 < words.size() ? words[i] + " " : words[i]);
      sentence += content_tokens.back();
    }
    std::string rf_type;
    if (body.contains("response_format") && body["response_format"].is_object()) {
      rf_type = body["response_format"]["type"].get<std::string>();
    }
    if (rf_type == "json_object") {
      // {"answer": "..."}
      Json answer = {{"answer", sentence}};
      content_tokens = SplitJsonTokens(Spoiled(answer, Json(), directives.content));
    } else if (rf_type == "json_schema") {
      const Json& schema = body["response_format"]["json_schema"]["schema"];
      content_tokens =
          SplitJsonTokens(Spoiled(Instance(schema, schema, 0, ""), schema, directives.content));
    }
    // stop strings: cut before the first occurrence.
    std::vector<std::string> stops;
    if (body.contains("stop")) {
      if (body["stop"].is_string()) stops.push_back(body["stop"].get<std::string>());
      if (body["stop"].is_array()) {
        for (const auto& s : body["stop"]) stops.push_back(s.get<std::string>());
      }
    }
    std::string full;
    for (const auto& t : content_tokens) full += t;
    size_t cut = std::string::npos;
    for (const auto& s : stops) {
      if (s.empty()) continue;
      cut = std::min(cut, full.find(s));
    }
    if (cut != std::string::npos) {
      std::vector<std::string> kept;
      size_t acc = 0;
      for (const auto& t : content_tokens) {
        if (acc + t.size() <= cut) {
          kept.push_back(t);
          acc += t.size();
        } else {
          if (cut > acc) kept.push_back(t.substr(0, cut - acc));
          break;
        }
      }
      content_tokens = std::move(kept);
    }
    if (static_cast<int>(content_tokens.size()) > answer_budget) {
      content_tokens.resize(std::max(answer_budget, 0));
      finish = "length";
    }
  }

  int answer_count = static_cast<int>(content_tokens.size());
  for (const auto& c : calls) answer_count += static_cast<int>(c.fragments.size());
  const int reasoning_count = static_cast<int>(reasoning.size());
  const int completion_tokens = reasoning_count + answer_count;
  const int64_t created = static_cast<int64_t>(std::time(nullptr));
  const bool logprobs = body.value("logprobs", Json(false)) == true;
  const int top_logprobs = body.contains("top_logprobs") && body["top_logprobs"].is_number_integer()
                               ? body["top_logprobs"].get<int>()
                               : 0;

  if (!stream) {
    Json message;
    message["role"] = "assistant";
    if (calls.empty()) {
      std::string content;
      for (const auto& t : content_tokens) content += t;
      message["content"] = content;
    } else {
      message["content"] = nullptr;
    }
    if (thinking) {
      std::string r;
      for (const auto& t : reasoning) r += t;
      message["reasoning_content"] = r;
    }
    if (!calls.empty()) {
      Json tc = Json::array();
      for (const auto& c : calls) {
        tc.push_back(Json{{"id", c.id},
                          {"type", "function"},
                          {"function", Json{{"name", c.name}, {"arguments", c.arguments}}}});
      }
      message["tool_calls"] = std::move(tc);
    }
    Json lp = nullptr;
    if (logprobs) {
      Json content = Json::array();
      for (size_t i = 0; i < content_tokens.size(); ++i) {
        content.push_back(LogprobEntry(content_tokens[i], static_cast<uint32_t>(i), top_logprobs));
      }
      lp = Json{{"content", std::move(content)}};
    }
    Json choice;
    choice["index"] = 0;
    choice["message"] = std::move(message);
    choice["finish_reason"] = finish;
    choice["logprobs"] = std::move(lp);
    Json resp;
    resp["id"] = plan.request_id;
    resp["object"] = "chat.completion";
    resp["created"] = created;
    resp["model"] = versioned;
    resp["service_tier"] = "default";
    resp["choices"] = Json::array({std::move(choice)});
    resp["usage"] = UsageJson(prompt_tokens, completion_tokens, reasoning_count);
    plan.reply.status = 200;
    plan.reply.headers = {{"Content-Type", "application/json; charset=utf-8"},
                          {"x-request-id", plan.request_id}};
    plan.reply.body = resp.dump();
    if (fault == "reset") {
      plan.kind = Plan::Kind::kResetNow;
    } else if (fault == "stall") {
      plan.kind = Plan::Kind::kStallForever;
    } else if (fault == "malformed_json") {
      plan.reply.body.resize(plan.reply.body.size() / 2);
    } else if (fault == "truncate") {
      plan.kind = Plan::Kind::kTruncatedReply;
    }
    return plan;
  }

  // ---- Stream script.
  auto script = std::make_shared<StreamScript>();
  script->id = plan.request_id;
  script->model = versioned;
  script->created = created;
  script->prompt_tokens = prompt_tokens;
  script->reasoning_tokens = reasoning_count;
  script->completion_tokens = completion_tokens;
  script->finish_reason = finish;
  script->logprobs = logprobs;
  script->top_logprobs = top_logprobs;
  script->sse = directives.sse;
  script->stamp_tokens = directives.stamp_tokens;
  if (body.contains("stream_options") && body["stream_options"].is_object()) {
    script->chunk_include_usage =
        body["stream_options"].value("chunk_include_usage", Json(false)) == true;
  }
  const bool include_usage = body.contains("stream_options") &&
                             body["stream_options"].is_object() &&
                             body["stream_options"].value("include_usage", Json(false)) == true;
  auto& items = script->items;
  uint32_t cum = 0;
  for (const auto& t : reasoning) {
    StreamItem it{StreamItem::kReasoning};
    it.text = t;
    it.cum_tokens = ++cum;
    items.push_back(std::move(it));
  }
  for (size_t i = 0; i < content_tokens.size(); ++i) {
    StreamItem it{StreamItem::kContent};
    it.index = static_cast<uint32_t>(i);
    it.text = content_tokens[i];
    it.cum_tokens = ++cum;
    items.push_back(std::move(it));
  }
  const bool whole = directives.tool_calls == "whole";
  for (size_t i = 0; i < calls.size(); ++i) {
    const auto& c = calls[i];
    if (whole) {
      StreamItem it{StreamItem::kToolWhole};
      it.index = static_cast<uint32_t>(i);
      it.id = c.id;
      it.name = c.name;
      it.text = c.arguments;
      cum += static_cast<uint32_t>(c.fragments.size());
      it.cum_tokens = cum;
      items.push_back(std::move(it));
      continue;
    }
    StreamItem start{StreamItem::kToolStart};
    start.index = static_cast<uint32_t>(i);
    start.id = c.id;
    start.name = c.name;
    start.cum_tokens = cum;
    items.push_back(std::move(start));
    for (const auto& f : c.fragments) {
      StreamItem it{StreamItem::kToolArgs};
      it.index = static_cast<uint32_t>(i);
      it.text = f;
      it.cum_tokens = ++cum;
      items.push_back(std::move(it));
    }
  }
  {
    StreamItem it{StreamItem::kFinish};
    it.cum_tokens = cum;
    items.push_back(std::move(it));
  }
  if (include_usage) {
    StreamItem it{StreamItem::kUsage};
    it.cum_tokens = cum;
    items.push_back(std::move(it));
  }
  items.push_back(StreamItem{StreamItem::kDone});

  if (!fault.empty() && fault != "none") {
    int after = directives.after.value_or(kDefaultFaultAfter);
    size_t pos = 0;
    int seen = 0;
    while (pos < items.size() && items[pos].IsTokenEvent() && seen < after) {
      ++seen;
      ++pos;
    }
    std::vector<StreamItem> inserted;
    auto marker = [&](StreamItem::Kind k) {
      StreamItem it{k};
      it.cum_tokens = pos > 0 ? items[pos - 1].cum_tokens : 0;
      inserted.push_back(std::move(it));
    };
    if (fault == "reset") marker(StreamItem::kReset);
    if (fault == "stall") marker(StreamItem::kStall);
    if (fault == "truncate") marker(StreamItem::kEnd);
    if (fault == "malformed_json") marker(StreamItem::kMalformed);
    if (fault == "error_event") {
      marker(StreamItem::kErrorEvent);
      marker(StreamItem::kEnd);
    }
    if (fault == "error_chunk") {
      marker(StreamItem::kErrorChunk);
      marker(StreamItem::kEnd);
    }
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(pos), inserted.begin(),
                 inserted.end());
  }

  plan.kind = Plan::Kind::kStream;
  plan.is_stream = true;
  plan.reply.status = 200;
  plan.reply.headers = {{"Content-Type", "text/event-stream; charset=utf-8"},
                        {"Cache-Control", "no-cache"},
                        {"x-request-id", plan.request_id}};
  plan.script = std::move(script);
  return plan;
}

// ---------------------------------------------------------------------------

namespace {

// "t3 " -> "t3@<steady clock ns> ": the separator stays last.
std::string StampedToken(const std::string& token) {
  size_t end = token.find_last_not_of(' ') + 1;
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  return token.substr(0, end) + "@" + std::to_string(now) + token.substr(end);
}

}  // namespace

std::string StreamScript::Render(size_t i) const {
  const StreamItem& it = items[i];
  const std::string nl = sse.crlf ? "\r\n" : sse.cr ? "\r" : "\n";
  const std::string dp = sse.nospace ? "data:" : "data: ";
  auto frame = [&](const std::string& event, const std::string& data) {
    std::string out;
    if (sse.comments) {
      out += ": keep-alive" + nl + nl;
      if (i == 0) out += "retry: 3000" + nl;
      out += "id: " + std::to_string(i) + nl;
    }
    if (!event.empty()) out += "event: " + event + nl;
    if (sse.multiline && data != "[DONE]") {
      for (const auto& line : SplitJsonLines(data)) out += dp + line + nl;
    } else {
      out += dp + data + nl;
    }
    out += nl;
    return out;
  };
  auto usage_now = [&]() {
    int reasoning_now = std::min<int>(static_cast<int>(it.cum_tokens), reasoning_tokens);
    return UsageJson(prompt_tokens, static_cast<int>(it.cum_tokens), reasoning_now);
  };
  auto chunk = [&](Json choices, Json usage) {
    Json c;
    c["id"] = id;
    c["object"] = "chat.completion.chunk";
    c["created"] = created;
    c["model"] = model;
    c["service_tier"] = "default";
    c["choices"] = std::move(choices);
    c["usage"] = std::move(usage);
    return c.dump();
  };
  auto choice = [&](Json delta, Json finish, Json lp) {
    Json ch;
    ch["index"] = 0;
    ch["delta"] = std::move(delta);
    ch["finish_reason"] = std::move(finish);
    ch["logprobs"] = std::move(lp);
    return Json::array({std::move(ch)});
  };
  Json usage = chunk_include_usage ? usage_now() : Json(nullptr);
  Json delta;
  delta["role"] = "assistant";
  switch (it.kind) {
    case StreamItem::kReasoning:
      delta["content"] = "";
      delta["reasoning_content"] = it.text;
      return frame("", chunk(choice(std::move(delta), nullptr, nullptr), std::move(usage)));
    case StreamItem::kContent: {
      delta["content"] = stamp_tokens ? StampedToken(it.text) : it.text;
      Json lp = nullptr;
      if (logprobs) {
        lp = Json{{"content", Json::array({LogprobEntry(it.text, it.index, top_logprobs)})}};
      }
      return frame("", chunk(choice(std::move(delta), nullptr, std::move(lp)), std::move(usage)));
    }
    case StreamItem::kToolStart:
    case StreamItem::kToolWhole: {
      delta["content"] = "";
      Json call;
      call["index"] = it.index;
      call["id"] = it.id;
      call["type"] = "function";
      call["function"] =
          Json{{"name", it.name}, {"arguments", it.kind == StreamItem::kToolWhole ? it.text : ""}};
      delta["tool_calls"] = Json::array({std::move(call)});
      return frame("", chunk(choice(std::move(delta), nullptr, nullptr), std::move(usage)));
    }
    case StreamItem::kToolArgs: {
      delta["content"] = "";
      Json call;
      call["index"] = it.index;
      call["function"] = Json{{"arguments", it.text}};
      delta["tool_calls"] = Json::array({std::move(call)});
      return frame("", chunk(choice(std::move(delta), nullptr, nullptr), std::move(usage)));
    }
    case StreamItem::kFinish:
      delta["content"] = "";
      return frame("", chunk(choice(std::move(delta), finish_reason, nullptr), std::move(usage)));
    case StreamItem::kUsage:
      return frame(
          "", chunk(Json::array(), UsageJson(prompt_tokens, completion_tokens, reasoning_tokens)));
    case StreamItem::kDone:
      return frame("", "[DONE]");
    case StreamItem::kMalformed: {
      std::string bad = "{\"id\":\"" + id +
                        "\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                        "\"delta\":{\"content\":\"trunc";
      return dp + bad + nl + nl;
    }
    case StreamItem::kErrorEvent:
    case StreamItem::kErrorChunk: {
      ErrorInfo e = DocumentedError(500);
      std::string body = ErrorJson(500, e.message, e.type, nullptr, &*e.fallback);
      return frame(it.kind == StreamItem::kErrorEvent ? "error" : "", body);
    }
    case StreamItem::kEnd:
    case StreamItem::kReset:
    case StreamItem::kStall:
      break;
  }
  return "";
}

const char* DirectivesHelp() {
  return R"(Scenario directives: put tokens of the form #fake:key=value anywhere in the text of
the LAST user message (content string or text parts; several allowed). They are
stripped from the prompt before answering. Unknown keys/values -> 400.
  tokens=N            answer length in tokens (default 12)
  reasoning_tokens=N  reasoning tokens when thinking is on (default 6)
  number_tokens=1     answer tokens are "t0 t1 t2 ..." (check order/completeness)
  stamp_tokens=1      streamed content tokens end in "@NS": the emulator's steady
                      clock (CLOCK_MONOTONIC, ns) when the event was written, so a
                      client on this machine can measure each chunk's delay
  delay_ms=N          delay between streamed tokens (overrides --token_delay_ms)
  first_delay_ms=N    delay before the response headers
  error=STATUS        answer with the documented error for STATUS
                      (400 401 402 403 404 413 429 500 502 503; others: generic body)
  error_shape=S       string_code | reason_phrase | empty_param | html | text |
                      bare_message (applies to every error of the request)
  retry_after=S       add "Retry-After: S" to error responses
  fault=F             reset | stall_first_byte | stall | malformed_json | truncate |
                      error_event | error_chunk; streams: after `after` tokens.
                      Unary: reset (RST, no answer), stall / stall_first_byte (never
                      answer), malformed_json (200 + truncated JSON), truncate
                      (Content-Length promises more than is sent, then close).
  after=N             token events before a stream fault (default 3)
  sse=V               crlf | cr | nospace | multiline | comments | split | lf
                      (several sse= directives combine)
  tool_calls=whole|fragments   streamed tool call arguments in one delta / in
                      fragments of a few characters (default fragments)
  parallel=N          N tool calls (unless parallel_tool_calls is false)
  times=N             error= and fault= apply to the first N requests of this
                      scenario (same last user message) only; later ones succeed
  Tool-call arguments and json_object/json_schema content are generated from the
  declared schema and follow it in simple cases (type, properties, required,
  enum/const, items/minItems, minimum/maximum, local $ref); json_object gives
  {"answer": "..."}. To test checks of the answer:
  tool_args=V         the FIRST tool call only: valid (default) | invalid_json
                      (its closing brace cut off) | schema_violation (its first
                      required property removed; none required: the string
                      "not an object") | unknown_tool (named "undeclared_function")
  content=V           structured output: json_valid (default) | json_invalid |
                      schema_violation (same rules as tool_args)
)";
}

}  // namespace seedgate::fake_upstream
