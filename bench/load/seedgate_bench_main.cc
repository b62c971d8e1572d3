// seedgate-bench: an asynchronous load generator for seedgate (gRPC) and for
// the same work over plain HTTP (the emulator directly, or a reverse proxy).
// `seedgate-bench --help` lists the flags.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/load/drivers.h"

namespace {

constexpr char kUsage[] = R"(Usage: seedgate-bench [--flag=value | --flag value]...

Load generator for seedgate (gRPC) and for the same work over plain HTTP.
Every call asks the emulator for numbered tokens (#fake:number_tokens=1) and
checks that each answer / stream holds t0..t{N-1}, once and in order.
Streams also ask for stamped tokens (#fake:stamp_tokens=1): the report's
"chunk delay" is each chunk's time from the emulator's write to its arrival
here (one steady clock: the emulator must run on this machine).

  --protocol grpc|http   grpc: seedgate.v1.ChatService at --target host:port;
                         http: POST /v1/chat/completions at --target http://host:port
  --target T             (required)
  --rpc unary|stream     (default unary)
  --concurrency N        closed loop: N calls in flight (default 1 without --rate)
  --rate R               open loop: start R calls per second on schedule;
                         latency counts from the scheduled start
  --max_in_flight N      open loop: drop (and count) calls beyond N in flight (20000)
  --warmup_s S           calls started in the first S seconds are not measured (1)
  --duration_s S         measurement window after the warm-up (10)
  --total N              start at most N calls (0: no limit)
  --tokens N             answer tokens per call (12)
  --delay_ms N           emulator delay between streamed tokens (0)
  --channels N           grpc: HTTP/2 connections to spread calls over (1)
  --grpc_api cq|callback grpc: the client API (default cq: one thread on a
                         completion queue; callback: gRPC's callback threads)
  --timeout_s S          per-call deadline (120)
  --drain_s S            wait this long for calls in flight after the window (150)
  --model M              (doubao-seed-2.0-pro)
  --api_key K            http: bearer key (sk-bench)
  --label L              copied into the report
  --json_out FILE        also write the report as one JSON object
  --check                exit 1 unless every call succeeded and every answer was whole
)";

bool ParseFlags(int argc, char** argv, seedgate::bench::LoadOptions& o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg.rfind("--", 0) != 0) {
      std::fprintf(stderr, "seedgate-bench: unexpected argument %s\n", arg.c_str());
      return false;
    }
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (name == "check") {
      o.check = !has_value || value == "true" || value == "1";
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "seedgate-bench: --%s needs a value\n", name.c_str());
        return false;
      }
      value = argv[++i];
    }
    char* end = nullptr;
    auto num = [&] {
      double v = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0') {
        std::fprintf(stderr, "seedgate-bench: --%s: not a number: %s\n", name.c_str(),
                     value.c_str());
        std::exit(2);
      }
      return v;
    };
    if (name == "protocol") {
      o.protocol = value;
    } else if (name == "target") {
      o.target = value;
    } else if (name == "rpc") {
      o.rpc = value;
    } else if (name == "concurrency") {
      o.concurrency = static_cast<int>(num());
    } else if (name == "rate") {
      o.rate = num();
    } else if (name == "max_in_flight") {
      o.max_in_flight = static_cast<int>(num());
    } else if (name == "warmup_s") {
      o.warmup_s = num();
    } else if (name == "duration_s") {
      o.duration_s = num();
    } else if (name == "total") {
      o.total = static_cast<int64_t>(num());
    } else if (name == "tokens") {
      o.tokens = static_cast<int>(num());
    } else if (name == "delay_ms") {
      o.delay_ms = static_cast<int>(num());
    } else if (name == "channels") {
      o.channels = static_cast<int>(num());
    } else if (name == "grpc_api") {
      o.grpc_api = value;
    } else if (name == "timeout_s") {
      o.timeout_s = num();
    } else if (name == "drain_s") {
      o.drain_s = num();
    } else if (name == "model") {
      o.model = value;
    } else if (name == "api_key") {
      o.api_key = value;
    } else if (name == "label") {
      o.label = value;
    } else if (name == "json_out") {
      o.json_out = value;
    } else {
      std::fprintf(stderr, "seedgate-bench: unknown flag --%s (see --help)\n", name.c_str());
      return false;
    }
  }
  if (o.target.empty() || (o.protocol != "grpc" && o.protocol != "http") ||
      (o.rpc != "unary" && o.rpc != "stream") || (o.grpc_api != "cq" && o.grpc_api != "callback") ||
      o.tokens < 1) {
    std::fprintf(stderr,
                 "seedgate-bench: need --target, --protocol grpc|http, --rpc unary|stream, "
                 "--grpc_api cq|callback, --tokens >= 1 (see --help)\n");
    return false;
  }
  if (o.rate <= 0 && o.concurrency <= 0) o.concurrency = 1;
  return true;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  seedgate::bench::LoadOptions options;
  if (!ParseFlags(argc, argv, options)) return 2;
  // Thousands of streams need thousands of descriptors (HTTP: one each).
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  seedgate::bench::Schedule schedule(options);
  seedgate::bench::Recorder recorder(options);
  bool drained = false;
  if (options.protocol == "http") {
    drained = seedgate::bench::RunHttpLoad(options, schedule, recorder);
  } else if (options.grpc_api == "cq") {
    drained = seedgate::bench::RunGrpcCqLoad(options, schedule, recorder);
  } else {
    drained = seedgate::bench::RunGrpcLoad(options, schedule, recorder);
  }
  bool pass = recorder.Report(schedule, CpuSeconds(), drained);
  std::fflush(stdout);
  if (!drained) std::_Exit(options.check ? 1 : 0);  // calls in flight still refer to the load
  return options.check && !pass ? 1 : 0;
}
