#include "tests/support/prometheus_text.h"

#include <cstdlib>
#include <sstream>

namespace seedgate::testing {

std::vector<Sample> ParsePrometheusText(const std::string& body) {
  std::vector<Sample> samples;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    Sample sample;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    sample.name = line.substr(0, i);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        std::string key = line.substr(i, eq - i);
        std::string value;
        size_t j = eq + 2;  // past ="
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) ++j;
          value.push_back(line[j]);
        }
        sample.labels[key] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      ++i;  // past }
    }
    sample.value = std::strtod(line.c_str() + i, nullptr);
    samples.push_back(std::move(sample));
  }
  return samples;
}

std::string SeriesKey(const std::string& name, const std::map<std::string, std::string>& labels) {
  std::string key = name + "{";
  bool first = true;
  for (const auto& [label, value] : labels) {
    if (!first) key += ",";
    first = false;
    key += label + "=\"" + value + "\"";
  }
  return key + "}";
}

std::map<std::string, double> SamplesByKey(const std::vector<Sample>& samples) {
  std::map<std::string, double> by_key;
  for (const Sample& sample : samples) by_key[SeriesKey(sample.name, sample.labels)] = sample.value;
  return by_key;
}

}  // namespace seedgate::testing
