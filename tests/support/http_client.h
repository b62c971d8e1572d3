// A tiny blocking libcurl HTTP client for tests, plus an SSE event splitter.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace seedgate::testing {

struct HttpResult {
  long status = 0;  // 0 when no response status line was received
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  // Every piece of body as curl delivered it, with its arrival time.
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> body_pieces;
  int curl_code = 0;  // CURLcode; 0 = CURLE_OK
  std::string error;  // curl's error text when curl_code != 0
};

// POST `body` (Content-Type application/json unless given in `headers`).
// `ca_file` non-empty: trust that CA (PEM) for https. `timeout` bounds the whole transfer.
HttpResult HttpPost(const std::string& url, const std::string& body,
                    const std::map<std::string, std::string>& headers = {},
                    const std::string& ca_file = "",
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

HttpResult HttpGet(const std::string& url, const std::string& ca_file = "",
                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

struct SseEvent {
  std::string event;  // "event:" field ("" when absent)
  std::string data;   // "data:" lines joined with '\n'
};

// Splits an SSE body into events per the WHATWG rules (LF, CRLF or CR line
// ends, comments, multi-line data, optional space after the colon). Events
// without data lines are dropped.
std::vector<SseEvent> ParseSse(const std::string& body);

}  // namespace seedgate::testing
