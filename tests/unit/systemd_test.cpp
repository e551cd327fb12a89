#include "collectors/systemd.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "agent/collector.h"
#include "agent/read_file.h"
#include "tests/unit/collector_harness.h"
#include "tests/unit/systemd_bus.h"

namespace nodeprobe {
namespace {

using testing::collect_text;
using testing::CollectorHarness;
using testing::expect_golden;
using testing::fixture_path;
using testing::SystemdBus;

// The collector reads no files; the paths are only there to configure it.
HostPaths paths() { return testing::fixture_paths("systemd"); }

std::string units_spec() { return read_file(fixture_path("systemd/units.spec")); }

const std::vector<std::string> kEveryMetric = {"--collector.systemd.enable-task-metrics",
                                               "--collector.systemd.enable-restarts-metrics",
                                               "--collector.systemd.enable-start-time-metrics"};

TEST(ParseSystemdVersion, AsNodeExporterReadsIt) {
  auto debian = parse_systemd_version("252.38-1~deb12u1");
  EXPECT_EQ(debian.number, 252.38);
  EXPECT_EQ(debian.full, "252.38-1~deb12u1");
  EXPECT_EQ(parse_systemd_version("255").number, 255);
  EXPECT_EQ(parse_systemd_version("v249.11-0ubuntu3").number, 249.11);
  EXPECT_EQ(parse_systemd_version("systemd 219 (219-78.el7)").number, 219);
}

TEST(ParseSystemdVersion, NoNumberIsZeroWithoutLabel) {
  for (std::string_view s :
       {std::string_view(""), std::string_view("unknown"), std::string_view("42"),
        std::string_view("v.1"), std::string_view("\0\0\0", 3)}) {
    auto v = parse_systemd_version(s);
    EXPECT_EQ(v.number, 0) << s;
    EXPECT_EQ(v.full, "") << s;
  }
  std::string huge(1 << 20, 'x');
  huge += "239";
  EXPECT_EQ(parse_systemd_version(huge).number, 239);
}

TEST(UnitFilter, PatternsMatchWholeNames) {
  UnitFilter f(".+", "--include", ".+\\.(automount|device|mount|scope|slice)", "--exclude");
  EXPECT_TRUE(f.selected("nginx.service"));
  EXPECT_TRUE(f.selected("multi-user.target"));
  EXPECT_FALSE(f.selected("boot.mount"));
  EXPECT_FALSE(f.selected("user.slice"));
  EXPECT_TRUE(f.selected("boot.mount.service"));  // anchored: the suffix is .service
  EXPECT_FALSE(f.selected(""));                   // ".+" needs a name

  UnitFilter only("nginx|ssh\\.socket", "--include", "", "--exclude");
  EXPECT_FALSE(only.selected("nginx.service"));  // "nginx" is not the whole name
  EXPECT_TRUE(only.selected("nginx"));
  EXPECT_TRUE(only.selected("ssh.socket"));
  EXPECT_FALSE(only.selected("openssh.socket"));
}

TEST(UnitFilter, BadPatternNamesTheFlag) {
  try {
    UnitFilter f("(", "--collector.systemd.unit-include", "", "--collector.systemd.unit-exclude");
    FAIL() << "accepted an invalid regex";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.flag(), "--collector.systemd.unit-include");
  }
}

TEST(SystemdCollector, MatchesGoldenWithDefaults) {
  SystemdBus bus(units_spec());
  expect_golden(collect_text("systemd", paths()), "systemd/defaults.golden");
}

TEST(SystemdCollector, MatchesGoldenWithEveryMetric) {
  SystemdBus bus(units_spec());
  expect_golden(collect_text("systemd", paths(), kEveryMetric), "systemd/every_metric.golden");
}

TEST(SystemdCollector, IncludeAndExcludeFlags) {
  SystemdBus bus(units_spec());
  auto text = collect_text("systemd", paths(),
                           {"--collector.systemd.unit-include=.+\\.(service|mount)",
                            "--collector.systemd.unit-exclude=(old|crashy)\\.service"});
  EXPECT_NE(text.find("name=\"nginx.service\""), std::string::npos);
  EXPECT_NE(text.find("name=\"boot.mount\",state=\"active\",type=\"ext4\"} 1"), std::string::npos);
  for (const char* gone : {"old.service", "crashy.service", "ssh.socket", "logrotate.timer",
                           "multi-user.target", "missing.service"}) {
    EXPECT_EQ(text.find(std::string("name=\"") + gone + "\""), std::string::npos) << gone;
  }
  // The summary counts every unit, selected or not.
  EXPECT_NE(text.find("node_systemd_units{state=\"active\"} 8\n"), std::string::npos) << text;
}

TEST(SystemdCollector, DeprecatedFlags) {
  SystemdBus bus(units_spec());
  auto text = collect_text("systemd", paths(), {"--collector.systemd.unit-whitelist=nginx.+"});
  EXPECT_NE(text.find("name=\"nginx.service\""), std::string::npos);
  EXPECT_EQ(text.find("name=\"ssh.socket\""), std::string::npos);
  text = collect_text("systemd", paths(), {"--collector.systemd.unit-blacklist=nginx.+"});
  EXPECT_EQ(text.find("name=\"nginx.service\""), std::string::npos);
  EXPECT_NE(text.find("name=\"user.slice\""), std::string::npos);  // the default exclude is gone

  EXPECT_THROW(
      collect_text("systemd", paths(),
                   {"--collector.systemd.unit-whitelist=a", "--collector.systemd.unit-include=b"}),
      ConfigError);
  EXPECT_THROW(collect_text("systemd", paths(), {"--collector.systemd.unit-exclude=("}),
               ConfigError);
}

TEST(SystemdCollector, FollowsAServiceThatStartsCrashLooping) {
  // What node_exporter's alert rules watch: a failed unit, and restarts that keep rising.
  SystemdBus bus(
      "@Version 252\n@SystemState running\n"
      "api.service loaded active running Type=notify NRestarts=0\n");
  CollectorHarness systemd("systemd", paths(), kEveryMetric);
  auto healthy = systemd.collect();
  EXPECT_NE(healthy.find("node_systemd_system_running 1\n"), std::string::npos);
  EXPECT_NE(healthy.find("node_systemd_service_restart_total{name=\"api.service\"} 0\n"),
            std::string::npos);

  bus.write_spec(
      "@Version 252\n@SystemState degraded\n"
      "api.service loaded activating auto-restart Type=notify NRestarts=4\n");
  auto looping = systemd.collect();
  EXPECT_NE(looping.find("node_systemd_service_restart_total{name=\"api.service\"} 4\n"),
            std::string::npos);
  EXPECT_NE(looping.find("{name=\"api.service\",state=\"activating\",type=\"notify\"} 1\n"),
            std::string::npos);
  EXPECT_NE(looping.find("node_systemd_system_running 0\n"), std::string::npos);

  bus.write_spec(
      "@Version 252\n@SystemState degraded\n"
      "api.service loaded failed failed Type=notify NRestarts=5\n");
  auto failed = systemd.collect();
  EXPECT_NE(failed.find("{name=\"api.service\",state=\"failed\",type=\"notify\"} 1\n"),
            std::string::npos);
  EXPECT_NE(failed.find("node_systemd_units{state=\"failed\"} 1\n"), std::string::npos);
  // A scrape after the unit is gone reports it no more.
  bus.write_spec("@Version 252\n@SystemState running\n");
  auto gone = systemd.collect();
  EXPECT_EQ(gone.find("api.service"), std::string::npos);
}

TEST(SystemdCollector, OldSystemdHasNoSystemStateOrTimers) {
  SystemdBus bus("@Version 211\nlogrotate.timer loaded active waiting LastTriggerUSec=5000000\n");
  auto text = collect_text("systemd", paths());
  EXPECT_EQ(text.find("node_systemd_system_running"), std::string::npos);
  EXPECT_EQ(text.find("node_systemd_timer_last_trigger_seconds"), std::string::npos);
  EXPECT_NE(text.find("node_systemd_version{version=\"211\"} 211\n"), std::string::npos);
}

TEST(SystemdCollector, ManagerWithoutVersionOrStateFails) {
  // No Version: 0 with an empty label, as node_exporter; then SystemState is not asked for.
  SystemdBus bus("a.service loaded active running\n");
  auto text = collect_text("systemd", paths());
  EXPECT_NE(text.find("node_systemd_version{version=\"\"} 0\n"), std::string::npos);
  // With a version that has SystemState, its absence fails the run, as in node_exporter.
  bus.write_spec("@Version 252\na.service loaded active running\n");
  EXPECT_THROW(collect_text("systemd", paths()), std::runtime_error);
}

TEST(SystemdCollector, NoSystemBusIsAnAbsentFeature) {
  testing::TempDir dir;
  ::setenv("DBUS_SYSTEM_BUS_ADDRESS", ("unix:path=" + dir.path() + "/none").c_str(), 1);
  EXPECT_THROW(collect_text("systemd", paths()), FeatureAbsent);
  ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

TEST(SystemdCollector, SystemBusWithoutSystemdIsAnAbsentFeature) {
  SystemdBus bus(SystemdBus::kNoManager);
  EXPECT_THROW(collect_text("systemd", paths()), FeatureAbsent);
}

TEST(SystemdCollector, AManagerThatHangsFailsTheRunAndTheNextRunReconnects) {
  SystemdBus bus("@Hang ListUnits\n");
  CollectorHarness systemd("systemd", paths());
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(systemd.collect(), std::runtime_error);
  // The calls wait at most the collector deadline (--collector.timeout, 5 s by default).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
  bus.write_spec("@Version 252\n@SystemState running\n");
  EXPECT_NE(systemd.collect().find("node_systemd_system_running 1\n"), std::string::npos);
}

}  // namespace
}  // namespace nodeprobe
