#ifndef SEEDGATE_TESTS_SUPPORT_PROMETHEUS_TEXT_H_
#define SEEDGATE_TESTS_SUPPORT_PROMETHEUS_TEXT_H_

#include <map>
#include <string>
#include <vector>

namespace seedgate::testing {

// One sample of the Prometheus text exposition format.
struct Sample {
  std::string name;                           // e.g. seedgate_rpcs_total
  std::map<std::string, std::string> labels;  // sorted by name
  double value = 0;
};

// Every sample of a /metrics body (comments skipped).
std::vector<Sample> ParsePrometheusText(const std::string& body);

// A canonical key for a series: name{a="1",b="2"} with labels sorted.
std::string SeriesKey(const std::string& name, const std::map<std::string, std::string>& labels);

// Samples keyed by SeriesKey.
std::map<std::string, double> SamplesByKey(const std::vector<Sample>& samples);

}  // namespace seedgate::testing

#endif  // SEEDGATE_TESTS_SUPPORT_PROMETHEUS_TEXT_H_
