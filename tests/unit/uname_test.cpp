#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <map>
#include <string>

#include "tests/unit/collector_harness.h"

namespace nodeprobe {
namespace {

using testing::CollectorHarness;
using testing::fixture_paths;

TEST(UnameCollector, LabelsAreThisHostsUname) {
  CollectorHarness uname("uname", fixture_paths("host"));
  auto text = uname.collect();
  ASSERT_EQ(uname.families().size(), 1u);
  const auto& family = uname.families()[0];
  EXPECT_EQ(family.name, "node_uname_info");
  EXPECT_EQ(family.help, "Labeled system information as provided by the uname system call.");
  EXPECT_EQ(family.type, prometheus::MetricType::Gauge);
  ASSERT_EQ(family.metric.size(), 1u);
  EXPECT_EQ(family.metric[0].gauge.value, 1);

  utsname u{};
  ASSERT_EQ(::uname(&u), 0);
  std::map<std::string, std::string> expected = {
      {"domainname", u.domainname}, {"machine", u.machine}, {"nodename", u.nodename},
      {"release", u.release},       {"sysname", u.sysname}, {"version", u.version}};
  std::map<std::string, std::string> labels;
  for (const auto& l : family.metric[0].label) labels[l.name] = l.value;
  EXPECT_EQ(labels, expected);
  EXPECT_EQ(labels["sysname"], "Linux");
  EXPECT_TRUE(text.starts_with("# HELP node_uname_info "));
  EXPECT_NE(text.find("node_uname_info{domainname="), std::string::npos);
  EXPECT_TRUE(uname.problems().empty());
}

}  // namespace
}  // namespace nodeprobe
