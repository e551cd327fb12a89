// What stops the eBPF probes on a host, judged from files (bpf/probe.h), and reading
// tracepoint arguments from BTF. No privileges needed.
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <memory>

#include "bpf/probe.h"
#include "collector_harness.h"

namespace nodeprobe {
namespace {

using testing::fixture_paths;
using testing::TempDir;

TEST(DiagnoseHost, NoBtfSaysWhatKernelIsNeeded) {
  TempDir tree;
  tree.write("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
  auto problem = ebpf::diagnose_host(fixture_paths(tree.path()));
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("no BTF"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("CONFIG_DEBUG_INFO_BTF=y"), std::string::npos) << *problem;
}

TEST(DiagnoseHost, ConfidentialityLockdownStopsTheProbes) {
  TempDir tree;
  tree.write("sys/kernel/btf/vmlinux", "");
  tree.write("sys/kernel/security/lockdown", "none integrity [confidentiality]\n");
  auto problem = ebpf::diagnose_host(fixture_paths(tree.path()));
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("lockdown"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("lockdown=integrity"), std::string::npos) << *problem;
}

TEST(DiagnoseHost, IntegrityLockdownOrNoneOrNoLsmIsFine) {
  for (const char* lockdown : {"none [integrity] confidentiality\n",
                               "[none] integrity confidentiality\n", "", "garbage"}) {
    TempDir tree;
    tree.write("sys/kernel/btf/vmlinux", "");
    tree.write("sys/kernel/security/lockdown", lockdown);
    EXPECT_FALSE(ebpf::diagnose_host(fixture_paths(tree.path()))) << lockdown;
  }
  TempDir without_lsm;
  without_lsm.write("sys/kernel/btf/vmlinux", "");
  EXPECT_FALSE(ebpf::diagnose_host(fixture_paths(without_lsm.path())));
}

TEST(UsesCgroupV1Memory, FollowsTheMountedHierarchies) {
  TempDir unified;
  unified.write("sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n");
  EXPECT_FALSE(ebpf::uses_cgroup_v1_memory(fixture_paths(unified.path())));

  TempDir legacy;
  legacy.write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
  legacy.write("sys/fs/cgroup/unified/cgroup.controllers", "");  // systemd's hybrid layout
  EXPECT_TRUE(ebpf::uses_cgroup_v1_memory(fixture_paths(legacy.path())));

  TempDir neither;
  EXPECT_FALSE(ebpf::uses_cgroup_v1_memory(fixture_paths(neither.path())));
}

TEST(CountBlockDevices, CountsTheDisksUnderSysBlock) {
  TempDir tree;
  EXPECT_EQ(ebpf::count_block_devices(fixture_paths(tree.path())), 0U);  // no sys/block at all
  tree.write("sys/block/vda/dev", "254:0\n");
  tree.write("sys/block/loop0/dev", "7:0\n");
  EXPECT_EQ(ebpf::count_block_devices(fixture_paths(tree.path())), 2U);
}

// A BTF with the typedefs the kernel emits for each tracepoint:
//   typedef void (*btf_trace_<name>)(void *__data, <TP_PROTO args>);
class TracepointBtf {
 public:
  TracepointBtf() : btf_(btf__new_empty(), btf__free) {
    int_id_ = btf__add_int(btf_.get(), "int", 4, BTF_INT_SIGNED);
    void_ptr_ = btf__add_ptr(btf_.get(), 0);
  }
  int struct_ptr(const char* name) {
    return btf__add_ptr(btf_.get(), btf__add_struct(btf_.get(), name, 8));
  }
  int int_id() const { return int_id_; }
  void tracepoint(const char* name, std::initializer_list<int> arg_types) {
    int proto = btf__add_func_proto(btf_.get(), 0);
    btf__add_func_param(btf_.get(), "__data", void_ptr_);
    for (int type : arg_types) btf__add_func_param(btf_.get(), "", type);
    int ptr = btf__add_ptr(btf_.get(), proto);
    btf__add_typedef(btf_.get(), (std::string("btf_trace_") + name).c_str(), ptr);
  }
  const btf& get() const { return *btf_; }
  btf* raw() { return btf_.get(); }

 private:
  std::unique_ptr<btf, void (*)(btf*)> btf_;
  int int_id_ = 0;
  int void_ptr_ = 0;
};

TEST(RawTracepointArgs, ReadsEachKernelVersionsPrototype) {
  TracepointBtf kernel;
  int request = kernel.struct_ptr("request");
  int queue = kernel.struct_ptr("request_queue");
  int task = kernel.struct_ptr("task_struct");
  kernel.tracepoint("block_rq_issue", {request});             // Linux >= 5.11
  kernel.tracepoint("block_rq_issue_old", {queue, request});  // before
  kernel.tracepoint("mark_victim", {task, kernel.int_id()});  // after 6.8
  kernel.tracepoint("mark_victim_old", {kernel.int_id()});    // up to 6.8
  kernel.tracepoint("no_args", {});

  EXPECT_EQ(ebpf::raw_tracepoint_args(kernel.get(), "block_rq_issue"), std::vector<bool>{true});
  EXPECT_EQ(ebpf::raw_tracepoint_args(kernel.get(), "block_rq_issue_old"),
            (std::vector<bool>{true, true}));
  EXPECT_EQ(ebpf::raw_tracepoint_args(kernel.get(), "mark_victim"),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(ebpf::raw_tracepoint_args(kernel.get(), "mark_victim_old"), std::vector<bool>{false});
  EXPECT_TRUE(ebpf::raw_tracepoint_args(kernel.get(), "no_args").empty());
  EXPECT_TRUE(ebpf::raw_tracepoint_args(kernel.get(), "sched_switch").empty());  // absent
}

TEST(RawTracepointArgs, IgnoresTypedefsOfTheWrongShape) {
  TracepointBtf kernel;
  // A typedef of that name that is not a pointer to a function prototype.
  btf* raw = kernel.raw();
  btf__add_typedef(raw, "btf_trace_weird", kernel.int_id());
  btf__add_typedef(raw, "btf_trace_weird_ptr", btf__add_ptr(raw, kernel.int_id()));
  EXPECT_TRUE(ebpf::raw_tracepoint_args(kernel.get(), "weird").empty());
  EXPECT_TRUE(ebpf::raw_tracepoint_args(kernel.get(), "weird_ptr").empty());
}

TEST(ParseBtf, MissingOrGarbageFileGivesNull) {
  TempDir tree;
  tree.write("vmlinux", "not BTF at all");
  EXPECT_EQ(ebpf::parse_btf(tree.path() + "/vmlinux"), nullptr);
  EXPECT_EQ(ebpf::parse_btf(tree.path() + "/absent"), nullptr);
}

}  // namespace
}  // namespace nodeprobe
