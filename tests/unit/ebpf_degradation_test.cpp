// The ebpf collector where the probes cannot run, or some programs cannot attach: it reports
// the programs as not attached, keeps the rest, and never fails the scrape.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "agent/exposition.h"
#include "agent/parse.h"
#include "bpf/probes.h"
#include "collector_harness.h"
#include "collectors/ebpf.h"
#include "ebpf_test_support.h"

namespace nodeprobe {
namespace {

using testing::CollectorHarness;
using testing::fixture_paths;
using testing::TempDir;

constexpr const char* kAllDetached =
    "# HELP nodeprobe_ebpf_program_attached Whether an eBPF program of the ebpf collector is "
    "attached (1) or not (0).\n"
    "# TYPE nodeprobe_ebpf_program_attached gauge\n"
    "nodeprobe_ebpf_program_attached{program=\"biolat_complete\"} 0\n"
    "nodeprobe_ebpf_program_attached{program=\"biolat_issue\"} 0\n"
    "nodeprobe_ebpf_program_attached{program=\"oomkill_victim\"} 0\n"
    "nodeprobe_ebpf_program_attached{program=\"process_exec\"} 0\n"
    "nodeprobe_ebpf_program_attached{program=\"process_exit\"} 0\n"
    "nodeprobe_ebpf_program_attached{program=\"runqlat_switch\"} 0\n"
    "nodeprobe_ebpf_program_attached{program=\"runqlat_wakeup\"} 0\n"
    "nodeprobe_ebpf_program_attached{program=\"runqlat_wakeup_new\"} 0\n"
    "nodeprobe_ebpf_program_attached{program=\"tcpretrans_skb\"} 0\n";

// A host tree without /sys/kernel/btf/vmlinux: nothing loads, whoever runs the test.
TEST(EbpfCollectorDegraded, WithoutBtfEveryProgramIsReportedDetached) {
  TempDir tree;
  CollectorHarness ebpf("ebpf", fixture_paths(tree.path()));
  EXPECT_EQ(ebpf.collect(), kAllDetached);
  EXPECT_EQ(ebpf.collect(), kAllDetached);  // and stays so, without retrying every scrape
  EXPECT_TRUE(ebpf.problems().empty());
}

TEST(EbpfCollectorDegraded, UnderLockdownEveryProgramIsReportedDetached) {
  TempDir tree;
  tree.write("sys/kernel/btf/vmlinux", "");
  tree.write("sys/kernel/security/lockdown", "none integrity [confidentiality]\n");
  EXPECT_EQ(testing::collect_text("ebpf", fixture_paths(tree.path())), kAllDetached);
}

TEST(EbpfCollectorDegraded, ProbesTurnedOffByFlagAreLeftOut) {
  TempDir tree;
  auto text =
      testing::collect_text("ebpf", fixture_paths(tree.path()),
                            {"--no-collector.ebpf.runqlat", "--no-collector.ebpf.biolat",
                             "--no-collector.ebpf.tcpretrans", "--collector.ebpf.oomkill=false"});
  EXPECT_EQ(text,
            "# HELP nodeprobe_ebpf_program_attached Whether an eBPF program of the ebpf "
            "collector is attached (1) or not (0).\n"
            "# TYPE nodeprobe_ebpf_program_attached gauge\n"
            "nodeprobe_ebpf_program_attached{program=\"process_exec\"} 0\n"
            "nodeprobe_ebpf_program_attached{program=\"process_exit\"} 0\n");
  EXPECT_EQ(testing::collect_text("ebpf", fixture_paths(tree.path()),
                                  {"--no-collector.ebpf.runqlat", "--no-collector.ebpf.biolat",
                                   "--no-collector.ebpf.tcpretrans", "--no-collector.ebpf.oomkill",
                                   "--no-collector.ebpf.process"}),
            "");
}

TEST(EbpfProbeDegraded, BlockedProbeListsItsProgramsWithTheReason) {
  ebpf::LoadOptions options;
  options.blocked = "the reason";
  ebpf::RunqlatProbe probe(options);
  EXPECT_FALSE(probe.loaded());
  EXPECT_EQ(probe.load_error(), "the reason");
  ASSERT_EQ(probe.programs().size(), 3U);
  for (const auto& program : probe.programs()) {
    EXPECT_FALSE(program.attached);
    EXPECT_EQ(program.error, "the reason");
  }
  EXPECT_FALSE(probe.all_attached());
  EXPECT_EQ(probe.latency().slots[0], 0U);  // reading a probe that never loaded is harmless
}

// A kernel without one of the tracepoints, played by attaching a program to a name no kernel
// has: that program is not attached, its siblings are.
TEST(EbpfProbeDegraded, EachProgramAttachesOnItsOwn) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  auto options = testing::host_load_options();
  options.runqueue_method = ebpf::LoadOptions::RunqueueMethod::wakeups;  // three programs
  options.attach_overrides = {{"runqlat_wakeup_new", "nodeprobe_no_such_tracepoint"}};
  ebpf::RunqlatProbe probe(options);
  ASSERT_TRUE(probe.loaded()) << testing::program_errors(probe);
  EXPECT_TRUE(probe.attached("runqlat_wakeup"));
  EXPECT_TRUE(probe.attached("runqlat_switch"));
  EXPECT_FALSE(probe.attached("runqlat_wakeup_new"));
  EXPECT_FALSE(probe.all_attached());
  for (const auto& program : probe.programs()) {
    if (program.name != "runqlat_wakeup_new") continue;
    EXPECT_EQ(program.tracepoint, "nodeprobe_no_such_tracepoint");
    EXPECT_NE(program.error.find("no such tracepoint"), std::string::npos) << program.error;
  }
}

std::string collect_with(std::unique_ptr<Collector> collector) {
  collector->configure(HostPaths{});
  MetricSink sink;
  collector->collect(sink);
  std::vector<std::string> problems;
  std::string text;
  for (const auto& family : render_families(sink.take(), &problems)) text += family.text;
  EXPECT_TRUE(problems.empty());
  return text;
}

TEST(EbpfCollectorDegraded, AMissingTracepointCostsOnlyItsFamily) {
  NODEPROBE_SKIP_WITHOUT_BPF();
  auto text = collect_with(make_ebpf_collector(
      {{"tcpretrans_skb", "nodeprobe_no_such_tp"}, {"process_exec", "nodeprobe_no_such_tp"}}));
  EXPECT_NE(text.find("nodeprobe_ebpf_program_attached{program=\"tcpretrans_skb\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("nodeprobe_ebpf_program_attached{program=\"process_exec\"} 0\n"),
            std::string::npos);
  // The run-queue probe's programs depend on the kernel (RunqlatProbe::method()): all attached.
  EXPECT_EQ(testing::runqlat_programs_attached(text), "all attached") << text;
  for (const char* attached :
       {"process_exit", "biolat_issue", "biolat_complete", "oomkill_victim"}) {
    EXPECT_NE(
        text.find(std::string("nodeprobe_ebpf_program_attached{program=\"") + attached + "\"} 1\n"),
        std::string::npos)
        << attached << "\n"
        << text;
  }
  EXPECT_EQ(text.find("node_tcp_retransmits_total"), std::string::npos);
  EXPECT_EQ(text.find("node_process_execs_total"), std::string::npos);
  // Exits and lifetimes come from the other program of the same probe.
  EXPECT_NE(text.find("# TYPE node_process_exits_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE node_process_lifetime_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("# TYPE node_sched_runqueue_latency_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("# TYPE node_oom_kills_total counter"), std::string::npos);
}

// Without root's capabilities, in a child that dropped them: the privilege check says what to
// grant, and a load attempted anyway fails cleanly with every program detached.
TEST(EbpfProbeDegraded, WithoutCapabilitiesNothingLoads) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to drop its capabilities in a child";
  NODEPROBE_SKIP_WITHOUT_BPF();
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(report[0]);
    std::string out;
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
      out = "setresuid failed";
    } else {
      auto problem = ebpf::diagnose_privileges();
      out += problem ? *problem : "no problem found";
      out += "\n";
      auto options = testing::host_load_options();
      ebpf::ProcessProbe probe(options);
      out += probe.loaded() ? "loaded" : probe.load_error();
      out += "\n";
      for (const auto& p : probe.programs()) out += p.attached ? "1" : "0";
    }
    (void)!::write(report[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(report[1]);
  std::string got;
  char buf[512];
  for (ssize_t n; (n = ::read(report[0], buf, sizeof buf)) > 0;) got.append(buf, n);
  ::close(report[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  auto lines = split(got, '\n');
  ASSERT_EQ(lines.size(), 3U) << got;
  EXPECT_NE(lines[0].find("CAP_BPF and CAP_PERFMON"), std::string_view::npos) << got;
  EXPECT_NE(lines[1].find("Operation not permitted"), std::string_view::npos) << got;
  EXPECT_EQ(lines[2], "00") << got;
}

}  // namespace
}  // namespace nodeprobe
