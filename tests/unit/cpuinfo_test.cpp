#include "collectors/cpuinfo.h"

#include <gtest/gtest.h>

#include <string>

namespace nodeprobe {
namespace {

using namespace std::string_literals;

// Two blocks as arch/x86/kernel/cpu/proc.c prints them (trimmed to the fields that matter).
constexpr const char* kX86 =
    "processor\t: 0\n"
    "vendor_id\t: GenuineIntel\n"
    "cpu family\t: 6\n"
    "model\t\t: 142\n"
    "model name\t: Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz\n"
    "stepping\t: 9\n"
    "microcode\t: 0xf4\n"
    "cpu MHz\t\t: 2699.998\n"
    "cache size\t: 3072 KB\n"
    "physical id\t: 0\n"
    "siblings\t: 4\n"
    "core id\t\t: 0\n"
    "flags\t\t: fpu vme de pse tsc msr avx2\n"
    "vmx flags\t: vnmi preemption_timer\n"
    "bugs\t\t: cpu_meltdown spectre_v1\n"
    "power management:\n"
    "\n"
    "processor\t: 1\n"
    "vendor_id\t: GenuineIntel\n"
    "core id\t\t: 1\n"
    "flags\t\t: fpu\n"
    "bugs\t\t:\n"
    "\n";

TEST(ParseCpuinfo, X86Sample) {
  auto cpus = parse_cpuinfo(kX86);
  ASSERT_EQ(cpus.size(), 2u);
  const auto& c = cpus[0];
  EXPECT_EQ(c.processor, "0");
  EXPECT_EQ(c.vendor_id, "GenuineIntel");
  EXPECT_EQ(c.cpu_family, "6");
  EXPECT_EQ(c.model, "142");
  EXPECT_EQ(c.model_name, "Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz");
  EXPECT_EQ(c.stepping, "9");
  EXPECT_EQ(c.microcode, "0xf4");
  EXPECT_EQ(c.cache_size, "3072 KB");
  EXPECT_EQ(c.physical_id, "0");
  EXPECT_EQ(c.core_id, "0");
  EXPECT_EQ(c.flags, (std::vector<std::string>{"fpu", "vme", "de", "pse", "tsc", "msr", "avx2"}));
  EXPECT_EQ(c.bugs, (std::vector<std::string>{"cpu_meltdown", "spectre_v1"}));
  EXPECT_EQ(cpus[1].processor, "1");
  EXPECT_EQ(cpus[1].core_id, "1");
  EXPECT_EQ(cpus[1].model_name, "");
  EXPECT_TRUE(cpus[1].bugs.empty());  // a CPU without known bugs prints an empty list
}

TEST(ParseCpuinfo, Arm64FeaturesAreFlags) {
  auto cpus = parse_cpuinfo(
      "processor\t: 0\n"
      "BogoMIPS\t: 48.00\n"
      "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid\n"
      "CPU implementer\t: 0x41\n"
      "CPU architecture: 8\n"
      "CPU variant\t: 0x0\n"
      "CPU part\t: 0xd08\n"
      "CPU revision\t: 3\n"
      "\n"
      "processor\t: 1\n"
      "BogoMIPS\t: 48.00\n"
      "Features\t: fp asimd\n");
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].flags.size(), 9u);
  EXPECT_EQ(cpus[0].flags[3], "aes");
  EXPECT_EQ(cpus[0].vendor_id, "");
  EXPECT_EQ(cpus[1].flags, (std::vector<std::string>{"fp", "asimd"}));
}

TEST(ParseCpuinfo, EmptyAndTruncated) {
  EXPECT_TRUE(parse_cpuinfo("").empty());
  EXPECT_TRUE(parse_cpuinfo("\n\n").empty());
  EXPECT_TRUE(parse_cpuinfo("processor\t: ").empty());
  auto cpus = parse_cpuinfo("processor\t: 0\nvendor_id\t: GenuineIntel\nprocessor\t: 1\nvendor_i");
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].vendor_id, "GenuineIntel");
  EXPECT_EQ(cpus[1].vendor_id, "");
}

TEST(ParseCpuinfo, GarbageIsSkipped) {
  auto cpus = parse_cpuinfo(
      "\177ELF\x02\x01\x00\xff\xfe\n"
      "vendor_id\t: before any processor\n"
      "processor\t: zero\n"
      "vendor_id\t: Nobody\n"
      "processor\t:\n"
      "flags\t\t: fpu\n"
      ": : :\n"
      "processor\t: 3\n"
      "model name\t: \xff\xfe\n"
      "flags\n"s);
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].processor, "3");
  EXPECT_EQ(cpus[0].model_name, "\xff\xfe");  // the exposition makes label values valid UTF-8
  EXPECT_TRUE(cpus[0].flags.empty());
}

TEST(ParseCpuinfo, OversizedInput) {
  std::string text;
  for (int i = 0; i < 100000; ++i) {
    text += "processor\t: " + std::to_string(i) + "\ncore id\t\t: " + std::to_string(i / 2) +
            "\nflags\t\t: fpu vme\n\n";
  }
  auto cpus = parse_cpuinfo(text);
  ASSERT_EQ(cpus.size(), 100000u);
  EXPECT_EQ(cpus.back().processor, "99999");
  EXPECT_EQ(cpus.back().core_id, "49999");
}

}  // namespace
}  // namespace nodeprobe
