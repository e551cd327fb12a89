// node_uname_info from the uname system call.
#include <sys/utsname.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "agent/collector.h"

namespace nodeprobe {
namespace {

class UnameCollector final : public Collector {
 public:
  void collect(MetricSink& sink) override {
    utsname u{};
    if (::uname(&u) != 0) throw std::runtime_error(std::string("uname: ") + std::strerror(errno));
    sink.gauge("node_uname_info",
               "Labeled system information as provided by the uname system call.", 1,
               {{"domainname", u.domainname},
                {"machine", u.machine},
                {"nodename", u.nodename},
                {"release", u.release},
                {"sysname", u.sysname},
                {"version", u.version}});
  }
};

}  // namespace

std::unique_ptr<Collector> make_uname_collector() { return std::make_unique<UnameCollector>(); }

}  // namespace nodeprobe
