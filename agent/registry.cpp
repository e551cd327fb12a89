#include "agent/registry.h"

namespace nodeprobe {

// Each collector's factory, defined in its collectors/<name>.cpp.
std::unique_ptr<Collector> make_arp_collector();
std::unique_ptr<Collector> make_bcache_collector();
std::unique_ptr<Collector> make_bcachefs_collector();
std::unique_ptr<Collector> make_bonding_collector();
std::unique_ptr<Collector> make_btrfs_collector();
std::unique_ptr<Collector> make_conntrack_collector();
std::unique_ptr<Collector> make_cpu_collector();
std::unique_ptr<Collector> make_cpufreq_collector();
std::unique_ptr<Collector> make_diskstats_collector();
std::unique_ptr<Collector> make_dmi_collector();
std::unique_ptr<Collector> make_dmmultipath_collector();
std::unique_ptr<Collector> make_ebpf_collector();
std::unique_ptr<Collector> make_edac_collector();
std::unique_ptr<Collector> make_entropy_collector();
std::unique_ptr<Collector> make_fibrechannel_collector();
std::unique_ptr<Collector> make_filefd_collector();
std::unique_ptr<Collector> make_filesystem_collector();
std::unique_ptr<Collector> make_hwmon_collector();
std::unique_ptr<Collector> make_infiniband_collector();
std::unique_ptr<Collector> make_ipvs_collector();
std::unique_ptr<Collector> make_kernel_hung_collector();
std::unique_ptr<Collector> make_kubernetes_collector();
std::unique_ptr<Collector> make_loadavg_collector();
std::unique_ptr<Collector> make_mdadm_collector();
std::unique_ptr<Collector> make_meminfo_collector();
std::unique_ptr<Collector> make_netclass_collector();
std::unique_ptr<Collector> make_netdev_collector();
std::unique_ptr<Collector> make_netstat_collector();
std::unique_ptr<Collector> make_nfs_collector();
std::unique_ptr<Collector> make_nfsd_collector();
std::unique_ptr<Collector> make_nvme_collector();
std::unique_ptr<Collector> make_os_collector();
std::unique_ptr<Collector> make_powersupplyclass_collector();
std::unique_ptr<Collector> make_pressure_collector();
std::unique_ptr<Collector> make_processes_collector();
std::unique_ptr<Collector> make_rapl_collector();
std::unique_ptr<Collector> make_schedstat_collector();
std::unique_ptr<Collector> make_selinux_collector();
std::unique_ptr<Collector> make_sockstat_collector();
std::unique_ptr<Collector> make_softnet_collector();
std::unique_ptr<Collector> make_stat_collector();
std::unique_ptr<Collector> make_systemd_collector();
std::unique_ptr<Collector> make_tapestats_collector();
std::unique_ptr<Collector> make_textfile_collector();
std::unique_ptr<Collector> make_thermal_zone_collector();
std::unique_ptr<Collector> make_time_collector();
std::unique_ptr<Collector> make_timex_collector();
std::unique_ptr<Collector> make_udp_queues_collector();
std::unique_ptr<Collector> make_uname_collector();
std::unique_ptr<Collector> make_vmstat_collector();
std::unique_ptr<Collector> make_watchdog_collector();
std::unique_ptr<Collector> make_workloads_collector();
std::unique_ptr<Collector> make_xfs_collector();
std::unique_ptr<Collector> make_zfs_collector();

const std::vector<CollectorEntry>& collector_list() {
  // Alphabetical, except textfile: it stays last so that its families lose every name clash.
  static const std::vector<CollectorEntry> list = {
      {"arp", true, "ARP entries per device from /proc/net/arp.", &make_arp_collector},
      {"bcache", true, "bcache cache sets, backing and cache devices from /sys/fs/bcache.",
       &make_bcache_collector},
      {"bcachefs", true, "bcachefs filesystems and devices from /sys/fs/bcachefs.",
       &make_bcachefs_collector},
      {"bonding", true, "Bonding interfaces: configured and active slaves, from /sys/class/net.",
       &make_bonding_collector},
      {"btrfs", true, "Btrfs filesystem allocation and devices from /sys/fs/btrfs.",
       &make_btrfs_collector},
      {"conntrack", true, "Connection tracking table size and statistics from /proc.",
       &make_conntrack_collector},
      {"cpu", true, "CPU time per mode from /proc/stat, thermal throttles, /proc/cpuinfo.",
       &make_cpu_collector},
      {"cpufreq", true, "CPU frequency statistics from /sys/devices/system/cpu/cpu*/cpufreq.",
       &make_cpufreq_collector},
      {"diskstats", true, "Disk I/O statistics from /proc/diskstats, with udev properties.",
       &make_diskstats_collector},
      {"dmi", true, "Desktop Management Interface (DMI) information from /sys/class/dmi/id.",
       &make_dmi_collector},
      {"dmmultipath", false, "Device-mapper multipath maps and their paths from /sys/block.",
       &make_dmmultipath_collector},
      {"ebpf", true,
       "eBPF probes: execs and exits, run-queue and block I/O latency, OOM kills, TCP "
       "retransmits.",
       &make_ebpf_collector},
      {"edac", true, "Memory error detection and correction statistics from EDAC.",
       &make_edac_collector},
      {"entropy", true, "Available entropy from /proc/sys/kernel/random.", &make_entropy_collector},
      {"fibrechannel", true, "Fibre Channel host statistics from /sys/class/fc_host.",
       &make_fibrechannel_collector},
      {"filefd", true, "File descriptor statistics from /proc/sys/fs/file-nr.",
       &make_filefd_collector},
      {"filesystem", true, "Filesystem space and inodes from statfs; a hung mount never stalls it.",
       &make_filesystem_collector},
      {"hwmon", true, "Hardware monitoring and sensor data from /sys/class/hwmon.",
       &make_hwmon_collector},
      {"infiniband", true, "Network statistics specific to InfiniBand and Intel OmniPath.",
       &make_infiniband_collector},
      {"ipvs", true, "IPVS status from /proc/net/ip_vs and stats from /proc/net/ip_vs_stats.",
       &make_ipvs_collector},
      {"kernel_hung", false, "Hung tasks detected, from /proc/sys/kernel/hung_task_detect_count.",
       &make_kernel_hung_collector},
      {"kubernetes", true,
       "This node's pods from the Kubernetes API: pod metadata for workloads, Job runs.",
       &make_kubernetes_collector},
      {"loadavg", true, "Load averages from /proc/loadavg.", &make_loadavg_collector},
      {"mdadm", true, "md RAID array state, disks and sync progress from /proc/mdstat.",
       &make_mdadm_collector},
      {"meminfo", true, "Memory statistics from /proc/meminfo.", &make_meminfo_collector},
      {"netclass", true, "Network device properties from /sys/class/net.",
       &make_netclass_collector},
      {"netdev", true, "Network device statistics from netlink or /proc/net/dev.",
       &make_netdev_collector},
      {"netstat", true, "Network statistics from /proc/net/netstat, snmp and snmp6.",
       &make_netstat_collector},
      {"nfs", true, "NFS client statistics from /proc/net/rpc/nfs.", &make_nfs_collector},
      {"nfsd", true, "NFS server statistics from /proc/net/rpc/nfsd.", &make_nfsd_collector},
      {"nvme", true, "NVMe controller information from /sys/class/nvme.", &make_nvme_collector},
      {"os", true, "OS release information from /etc/os-release.", &make_os_collector},
      {"powersupplyclass", true, "Power supply statistics from /sys/class/power_supply.",
       &make_powersupplyclass_collector},
      {"pressure", true, "Pressure stall information from /proc/pressure.",
       &make_pressure_collector},
      {"processes", false, "Processes and threads by state, with the PID and thread limits.",
       &make_processes_collector},
      {"rapl", true, "Energy counters of RAPL power zones from /sys/class/powercap.",
       &make_rapl_collector},
      {"schedstat", true, "Task scheduler statistics from /proc/schedstat.",
       &make_schedstat_collector},
      {"selinux", true, "SELinux status and AVC statistics.", &make_selinux_collector},
      {"sockstat", true, "Socket statistics from /proc/net/sockstat and sockstat6.",
       &make_sockstat_collector},
      {"softnet", true, "Softnet statistics per CPU from /proc/net/softnet_stat.",
       &make_softnet_collector},
      {"stat", true, "Kernel and system statistics from /proc/stat.", &make_stat_collector},
      {"systemd", false, "systemd units, services, sockets and timers over D-Bus.",
       &make_systemd_collector},
      {"tapestats", true, "Tape device statistics from /sys/class/scsi_tape.",
       &make_tapestats_collector},
      {"thermal_zone", true, "Thermal zone and cooling device statistics from /sys/class/thermal.",
       &make_thermal_zone_collector},
      {"time", true, "The current system time and clock sources.", &make_time_collector},
      {"timex", true, "Kernel clock discipline state from adjtimex(2).", &make_timex_collector},
      {"udp_queues", true, "UDP queued bytes from /proc/net/udp and udp6.",
       &make_udp_queues_collector},
      {"uname", true, "System information from the uname system call.", &make_uname_collector},
      {"vmstat", true, "Virtual memory statistics from /proc/vmstat.", &make_vmstat_collector},
      {"watchdog", true, "Watchdog device statistics from /sys/class/watchdog.",
       &make_watchdog_collector},
      {"workloads", true,
       "Usage per Kubernetes pod and container and per systemd service, from their cgroups.",
       &make_workloads_collector},
      {"xfs", true, "XFS runtime statistics per filesystem from /sys/fs/xfs.", &make_xfs_collector},
      {"zfs", true, "OpenZFS statistics from /proc/spl/kstat/zfs.", &make_zfs_collector},
      {"textfile", true, "Metrics from *.prom files in a directory.", &make_textfile_collector},
  };
  return list;
}

}  // namespace nodeprobe
