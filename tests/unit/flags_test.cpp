#include "agent/flags.h"

#include <civetweb.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace nodeprobe {
namespace {

std::optional<Config> parse(std::vector<const char*> args, int& exit_code) {
  args.insert(args.begin(), "nodeprobe");
  return parse_flags(static_cast<int>(args.size()), args.data(), exit_code);
}

std::vector<std::string> enabled_names(const Config& c) {
  std::vector<std::string> out;
  for (const auto& e : c.collectors) out.emplace_back(e.name);
  return out;
}

TEST(Flags, DefaultsMatchNodeExporter) {
  int code = -1;
  auto c = parse({}, code);
  ASSERT_TRUE(c);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(c->server.listen_addresses, std::vector<std::string>{":9110"});
  EXPECT_EQ(c->server.telemetry_path, "/metrics");
  EXPECT_EQ(c->server.max_requests, 40);
  EXPECT_EQ(c->paths.procfs, "/proc");
  EXPECT_EQ(c->paths.sysfs, "/sys");
  EXPECT_EQ(c->paths.rootfs, "/");
  EXPECT_EQ(c->paths.udev_data, "/run/udev/data");
  EXPECT_TRUE(c->agent.exporter_metrics);
  auto names = enabled_names(*c);
  EXPECT_NE(std::find(names.begin(), names.end(), "cpu"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "textfile"), names.end());
}

TEST(Flags, CollectorSwitches) {
  int code = -1;
  auto c = parse({"--collector.disable-defaults", "--collector.cpu", "--collector.loadavg",
                  "--no-collector.loadavg", "--collector.meminfo=true", "--collector.stat=false"},
                 code);
  ASSERT_TRUE(c);
  EXPECT_EQ(enabled_names(*c), (std::vector<std::string>{"cpu", "meminfo"}));
  c = parse({"--no-collector.cpu"}, code);
  ASSERT_TRUE(c);
  auto names = enabled_names(*c);
  EXPECT_EQ(std::find(names.begin(), names.end(), "cpu"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "meminfo"), names.end());
}

TEST(Flags, RepeatableListenAddressAndOptions) {
  int code = -1;
  auto c = parse({"--web.listen-address=127.0.0.1:1", "--web.listen-address", "127.0.0.2:2",
                  "--web.max-requests=3", "--collector.timeout=0.5", "--log.format=json",
                  "--web.disable-exporter-metrics"},
                 code);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->server.listen_addresses, (std::vector<std::string>{"127.0.0.1:1", "127.0.0.2:2"}));
  EXPECT_EQ(c->server.max_requests, 3);
  EXPECT_EQ(c->agent.collector_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c->log_format, log::Format::kJson);
  EXPECT_FALSE(c->agent.exporter_metrics);
}

TEST(Flags, AnEmptyValueClearsAnOption) {
  int code = -1;
  auto c = parse({"--collector.disable-defaults", "--collector.vmstat",
                  "--collector.vmstat.fields=", "--web.telemetry-path=/m"},
                 code);
  ASSERT_TRUE(c) << "--name= is an empty value, as kingpin reads it";
  EXPECT_EQ(c->server.telemetry_path, "/m");
  EXPECT_FALSE(parse({"--collector.cpu="}, code)) << "a switch takes no empty value";
  EXPECT_EQ(code, 1);
}

TEST(Flags, BadInputStopsTheStart) {
  for (std::vector<const char*> args : {
           std::vector<const char*>{"--no-such-flag"},
           {"--collector.vmstat.fields=("},
           {"--path.procfs=/nonexistent/proc"},
           {"--log.level=loud"},
           {"--web.max-requests=-1"},
           {"--collector.timeout=0"},
           {"--web.telemetry-path=metrics"},
           {"--collector.cpu=maybe"},
       }) {
    int code = 0;
    EXPECT_FALSE(parse(args, code)) << args[0];
    EXPECT_EQ(code, 1) << args[0];
  }
}

TEST(ListenAddress, GoFormsBecomeCivetwebPorts) {
  EXPECT_EQ(HttpServer::to_civetweb_port(":9110"), "9110");
  EXPECT_EQ(HttpServer::to_civetweb_port("127.0.0.1:9110"), "127.0.0.1:9110");
  if (mg_check_feature(MG_FEATURES_IPV6) != 0) {
    EXPECT_EQ(HttpServer::to_civetweb_port("[::1]:9110"), "[::1]:9110");
  } else {
    // Debian 12's civetweb has no IPv6: refused at start-up with a clear message.
    EXPECT_THROW(HttpServer::to_civetweb_port("[::1]:9110"), ConfigError);
  }
  EXPECT_EQ(HttpServer::to_civetweb_port("localhost:9110"), "127.0.0.1:9110");
  EXPECT_THROW(HttpServer::to_civetweb_port("9110"), ConfigError);
  EXPECT_THROW(HttpServer::to_civetweb_port("1.2.3.4:"), ConfigError);
  EXPECT_THROW(HttpServer::to_civetweb_port(":99999"), ConfigError);
  EXPECT_THROW(HttpServer::to_civetweb_port("[zz]:1"), ConfigError);
  EXPECT_THROW(HttpServer::to_civetweb_port(":12a"), ConfigError);
}

}  // namespace
}  // namespace nodeprobe
