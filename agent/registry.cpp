#include "agent/registry.h"

namespace nodeprobe {

// Each collector's factory, defined in its collectors/<name>.cpp.
std::unique_ptr<Collector> make_cpu_collector();
std::unique_ptr<Collector> make_filefd_collector();
std::unique_ptr<Collector> make_loadavg_collector();
std::unique_ptr<Collector> make_meminfo_collector();
std::unique_ptr<Collector> make_os_collector();
std::unique_ptr<Collector> make_pressure_collector();
std::unique_ptr<Collector> make_stat_collector();
std::unique_ptr<Collector> make_textfile_collector();
std::unique_ptr<Collector> make_time_collector();
std::unique_ptr<Collector> make_uname_collector();
std::unique_ptr<Collector> make_vmstat_collector();

const std::vector<CollectorEntry>& collector_list() {
  // Alphabetical, except textfile: it stays last so that its families lose every name clash.
  static const std::vector<CollectorEntry> list = {
      {"cpu", true, "CPU time per mode from /proc/stat.", &make_cpu_collector},
      {"filefd", true, "File descriptor statistics from /proc/sys/fs/file-nr.",
       &make_filefd_collector},
      {"loadavg", true, "Load averages from /proc/loadavg.", &make_loadavg_collector},
      {"meminfo", true, "Memory statistics from /proc/meminfo.", &make_meminfo_collector},
      {"os", true, "OS release information from /etc/os-release.", &make_os_collector},
      {"pressure", true, "Pressure stall information from /proc/pressure.",
       &make_pressure_collector},
      {"stat", true, "Kernel and system statistics from /proc/stat.", &make_stat_collector},
      {"time", true, "The current system time and clock sources.", &make_time_collector},
      {"uname", true, "System information from the uname system call.", &make_uname_collector},
      {"vmstat", true, "Virtual memory statistics from /proc/vmstat.", &make_vmstat_collector},
      {"textfile", true, "Metrics from *.prom files in a directory.", &make_textfile_collector},
  };
  return list;
}

}  // namespace nodeprobe
