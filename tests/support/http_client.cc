#include "tests/support/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

namespace seedgate::testing {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpResult*>(user);
  r->body.append(data, size * n);
  r->body_pieces.emplace_back(std::chrono::steady_clock::now(), std::string(data, size * n));
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpResult*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    r->headers.clear();  // a new response (e.g. after 100 Continue)
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.pop_back();
  }
  r->headers[name] = value;
  return size * n;
}

HttpResult Perform(const std::string& url, const std::string* body,
                   const std::map<std::string, std::string>& headers, const std::string& ca_file,
                   std::chrono::milliseconds timeout) {
  GlobalInit();
  HttpResult r;
  CURL* curl = curl_easy_init();
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& [k, v] : headers) {
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "content-type") has_content_type = true;
    list = curl_slist_append(list, (k + ": " + v).c_str());
  }
  if (body && !has_content_type) list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  CURLcode rc = curl_easy_perform(curl);
  r.curl_code = static_cast<int>(rc);
  if (rc != CURLE_OK) r.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

}  // namespace

HttpResult HttpPost(const std::string& url, const std::string& body,
                    const std::map<std::string, std::string>& headers, const std::string& ca_file,
                    std::chrono::milliseconds timeout) {
  return Perform(url, &body, headers, ca_file, timeout);
}

HttpResult HttpGet(const std::string& url, const std::string& ca_file,
                   std::chrono::milliseconds timeout) {
  return Perform(url, nullptr, {}, ca_file, timeout);
}

std::vector<SseEvent> ParseSse(const std::string& body) {
  std::vector<SseEvent> events;
  SseEvent cur;
  bool has_data = false;
  size_t i = 0;
  while (i <= body.size()) {
    size_t end = i;
    while (end < body.size() && body[end] != '\n' && body[end] != '\r') ++end;
    if (end == body.size()) break;  // an unterminated last line is not a line
    std::string line = body.substr(i, end - i);
    i = end + 1;
    if (body[end] == '\r' && i < body.size() && body[i] == '\n') ++i;
    if (line.empty()) {
      if (has_data) events.push_back(cur);
      cur = SseEvent();
      has_data = false;
      continue;
    }
    if (line[0] == ':') continue;
    size_t colon = line.find(':');
    std::string field = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (field == "data") {
      if (has_data) cur.data += "\n";
      cur.data += value;
      has_data = true;
    } else if (field == "event") {
      cur.event = value;
    }
  }
  return events;
}

}  // namespace seedgate::testing
