// Where a scrape's CPU goes, inside one process and without HTTP: each collector's collect()
// and rendering on the calling thread, the scrape's own families (process metrics, build info),
// a whole scrape as the HTTP handler runs it (and through an executor thread), and gzip of its
// body.
// bench/run.sh prints it under the comparison (unless BREAKDOWN=0) to tell the costs apart.
//
// Usage: nodeprobe_scrape_cost [--iterations N] [nodeprobe flags...]
// The nodeprobe flags select and configure the collectors exactly as for the agent.
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/exposition.h"
#include "agent/flags.h"
#include "agent/gzip.h"
#include "agent/logging.h"
#include "agent/self_metrics.h"

namespace {

std::int64_t now_ns(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// CPU microseconds per call of `body`, on `clock`, after a short warm-up.
template <typename Body>
double cost_us(long iterations, clockid_t clock, Body body) {
  for (int i = 0; i < 20; ++i) body();
  auto t0 = now_ns(clock);
  for (long i = 0; i < iterations; ++i) body();
  return static_cast<double>(now_ns(clock) - t0) / 1000.0 / static_cast<double>(iterations);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nodeprobe;
  long iterations = 2000;
  std::vector<const char*> args = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      iterations = std::max(1L, std::atol(argv[++i]));
    } else {
      args.push_back(argv[i]);
    }
  }
  int exit_code = 0;
  auto config = parse_flags(static_cast<int>(args.size()), args.data(), exit_code);
  if (!config) return exit_code;
  log::init("error", log::Format::kLogfmt);

  std::printf("%-40s %10s %10s %10s %8s\n", "part of a scrape, in-process", "collect us",
              "render us", "total us", "bytes");
  double sum = 0;
  for (auto& e : config->collectors) {
    Collector& c = *e.collector;
    std::size_t bytes = 0;
    bool ok = true;
    // One sink kept across runs, reset before each, as the agent does.
    MetricSink sink;
    auto collect_only = cost_us(iterations, CLOCK_THREAD_CPUTIME_ID, [&] {
      sink.reset();
      try {
        c.collect(sink);
      } catch (const std::exception&) {
        ok = false;
      }
    });
    auto both = cost_us(iterations, CLOCK_THREAD_CPUTIME_ID, [&] {
      sink.reset();
      try {
        c.collect(sink);
      } catch (const std::exception&) {
        ok = false;
      }
      bytes = sink.render(nullptr).text.size();
    });
    sum += both;
    std::printf("%-40s %10.1f %10.1f %10.1f %8zu%s\n", std::string(e.name).c_str(), collect_only,
                both - collect_only, both, bytes, ok ? "" : "  (failed)");
  }
  std::printf("%-40s %10s %10s %10.1f\n", "sum of the above", "", "", sum);
  // Each collector above ran many times in a row, with warm caches; in a scrape they take turns.
  std::vector<MetricSink> sinks(config->collectors.size());
  auto in_turn = cost_us(iterations, CLOCK_THREAD_CPUTIME_ID, [&] {
    for (std::size_t i = 0; i < sinks.size(); ++i) {
      sinks[i].reset();
      try {
        config->collectors[i].collector->collect(sinks[i]);
      } catch (const std::exception&) {
      }
      sinks[i].render(nullptr);
    }
  });
  std::printf("%-40s %10s %10s %10.1f\n", "all collectors in turn, this thread", "", "", in_turn);

  RequestCounters requests;
  requests.record("/metrics", 200);
  std::size_t own_bytes = 0;
  auto own = cost_us(iterations, CLOCK_THREAD_CPUTIME_ID, [&] {
    MetricSink sink;
    write_build_info(sink);
    write_process_metrics(sink);
    requests.write(sink);
    own_bytes = sink.render(nullptr).text.size();
  });
  std::printf("%-40s %10s %10s %10.1f %8zu\n", "own families (process, build, http)", "", "", own,
              own_bytes);

  std::vector<std::string_view> names;
  for (const auto& e : config->collectors) names.push_back(e.name);
  Agent agent(std::move(config->collectors), names, config->agent);
  std::vector<std::size_t> everything;
  for (std::size_t i = 0; i < names.size(); ++i) everything.push_back(i);
  std::string body;
  // Other threads' CPU counts too, hence the process clock. The serving form runs the
  // collectors on the calling thread, as the HTTP handler does; the other hands them to an
  // executor thread and waits.
  auto scrape = cost_us(iterations, CLOCK_PROCESS_CPUTIME_ID, [&] {
    agent.scrape(everything, [&](std::string&& b, bool) { body = std::move(b); });
  });
  std::printf("%-40s %10s %10s %10.1f %8zu\n", "Agent::scrape, as served", "", "", scrape,
              body.size());
  auto executor = cost_us(iterations, CLOCK_PROCESS_CPUTIME_ID, [&] { body = agent.scrape_all(); });
  std::printf("%-40s %10s %10s %10.1f %8zu\n", "Agent::scrape_all (executor thread)", "", "",
              executor, body.size());
  std::string compressed;
  auto gzip =
      cost_us(iterations, CLOCK_THREAD_CPUTIME_ID, [&] { gzip_compress(body, compressed); });
  std::printf("%-40s %10s %10s %10.1f %8zu\n", "gzip of that body", "", "", gzip,
              compressed.size());
  std::printf(
      "cost iterations=%ld collectors_us=%.1f in_turn_us=%.1f own_us=%.1f scrape_us=%.1f "
      "scrape_executor_us=%.1f gzip_us=%.1f\n",
      iterations, sum, in_turn, own, scrape, executor, gzip);
  std::fflush(stdout);
  std::_Exit(0);  // like the agent: worker threads may still hold collectors
}
