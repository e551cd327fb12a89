// node_sockstat_<PROTOCOL>_<state> from /proc/net/sockstat and /proc/net/sockstat6.
#include "collectors/sockstat.h"

#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "agent/collector.h"
#include "agent/parse.h"
#include "agent/read_file.h"

namespace nodeprobe {

namespace {

bool known_state(std::string_view key) {
  return key == "inuse" || key == "orphan" || key == "tw" || key == "alloc" || key == "mem" ||
         key == "memory";
}

bool valid_protocol(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_') {
      return false;
    }
  }
  return true;
}

}  // namespace

Sockstat parse_sockstat(std::string_view text) {
  Sockstat out;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 3 || fields.size() % 2 == 0 || !fields[0].ends_with(':')) return;
    std::string_view name = fields[0].substr(0, fields[0].size() - 1);
    if (!valid_protocol(name)) return;
    std::vector<std::pair<std::string_view, std::int64_t>> pairs;
    for (std::size_t i = 1; i + 1 < fields.size(); i += 2) {
      auto v = parse_int(fields[i + 1]);
      if (!v) return;
      pairs.emplace_back(fields[i], *v);
    }
    if (name == "sockets") {
      for (const auto& [key, value] : pairs) {
        if (key == "used") out.sockets_used = value;
      }
      return;
    }
    SockstatProtocol protocol{name, {}};
    for (const auto& pair : pairs) {
      if (known_state(pair.first)) protocol.states.push_back(pair);
    }
    out.protocols.push_back(std::move(protocol));
  });
  return out;
}

namespace {

class SockstatCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    // Either file is missing on a kernel built without that IP version.
    bool any = false, parsed = false;
    for (const char* file : {"net/sockstat", "net/sockstat6"}) {
      std::string text;
      int err = 0;
      auto path = paths_.proc(file);
      if (!try_read_file(path, text, err)) {
        if (err == ENOENT) continue;
        throw FileError(path, err);
      }
      any = true;
      auto stat = parse_sockstat(text);
      parsed = parsed || stat.sockets_used || !stat.protocols.empty();
      emit(sink, stat, std::string_view(file) == "net/sockstat");
    }
    if (!any) throw FeatureAbsent("neither net/sockstat nor net/sockstat6 exists");
    // The kernel always prints TCP, UDP and the rest: nothing parsed means a broken read.
    if (!parsed) throw std::runtime_error(paths_.proc("net/sockstat") + ": no protocols found");
  }

 private:
  static void emit(MetricSink& sink, const Sockstat& stat, bool ipv4) {
    if (ipv4 && stat.sockets_used) {
      sink.gauge("node_sockstat_sockets_used", "Number of IPv4 sockets in use.",
                 static_cast<double>(*stat.sockets_used));
    }
    // The kernel counts socket memory in pages.
    static const double page_size = static_cast<double>(::sysconf(_SC_PAGESIZE));
    for (const auto& p : stat.protocols) {
      std::string protocol(p.protocol);
      bool has_inuse = false;
      auto add = [&](std::string_view state, double value) {
        std::string s(state);
        sink.gauge("node_sockstat_" + protocol + "_" + s,
                   "Number of " + protocol + " sockets in state " + s + ".", value);
      };
      for (const auto& [state, value] : p.states) {
        has_inuse = has_inuse || state == "inuse";
        add(state, static_cast<double>(value));
        if (state == "mem") add("mem_bytes", static_cast<double>(value) * page_size);
      }
      // node_exporter reports inuse for every protocol line, 0 when the line lacks it.
      if (!has_inuse) add("inuse", 0);
    }
  }
};

}  // namespace

std::unique_ptr<Collector> make_sockstat_collector() {
  return std::make_unique<SockstatCollector>();
}

}  // namespace nodeprobe
