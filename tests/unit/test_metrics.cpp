// Prometheus text output: names, labels, escaping, one line per series.
#include <doctest/doctest.h>

#include "agent/metrics.hpp"

using namespace floatd;

TEST_CASE("metrics: state as a one-hot gauge, priorities and counters per instance") {
  InstanceMetrics web{"web", 51, State::Master, 150, 100, {}};
  web.counters.adverts_sent = 42;
  web.counters.became_master = 2;
  const auto text = format_metrics({web}, {});
  CHECK(text.find("floatd_instance_state{instance=\"web\",vrid=\"51\",state=\"MASTER\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("floatd_instance_state{instance=\"web\",vrid=\"51\",state=\"BACKUP\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("floatd_instance_priority{instance=\"web\",vrid=\"51\"} 150\n") != std::string::npos);
  CHECK(text.find("floatd_instance_effective_priority{instance=\"web\",vrid=\"51\"} 100\n") !=
        std::string::npos);
  CHECK(text.find("floatd_adverts_sent_total{instance=\"web\",vrid=\"51\"} 42\n") != std::string::npos);
  CHECK(text.find("floatd_master_transitions_total{instance=\"web\",vrid=\"51\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE floatd_adverts_sent_total counter\n") != std::string::npos);
}

TEST_CASE("metrics: drops by reason per interface, every reason present") {
  InterfaceMetrics eth0{"eth0", {}, 3};
  eth0.drops.count(packet::DropReason::BadTtl);
  const auto text = format_metrics({}, {eth0});
  CHECK(text.find("floatd_adverts_dropped_total{interface=\"eth0\",reason=\"bad_ttl\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("floatd_adverts_dropped_total{interface=\"eth0\",reason=\"bad_checksum\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("floatd_peers{interface=\"eth0\"} 3\n") != std::string::npos);
}

TEST_CASE("metrics: label values are escaped, every line is a comment or name{labels} value") {
  const auto text = format_metrics({{"we\"b\\x", 1, State::Init, 1, 1, {}}}, {});
  CHECK(text.find("instance=\"we\\\"b\\\\x\"") != std::string::npos);
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    REQUIRE(end != std::string::npos);
    const auto line = text.substr(start, end - start);
    const bool comment = line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0;
    CHECK_MESSAGE((comment || (line.find("} ") != std::string::npos && line.rfind("floatd_", 0) == 0)),
                  line);
    start = end + 1;
  }
}

TEST_CASE("metrics: check verdicts, runs by result, timeouts and durations") {
  using namespace std::chrono_literals;
  CheckMetrics web{"web", checks::Health::Failing, 7, 3, 1, 1500ms, 250ms};
  const auto text = format_metrics({}, {}, {web});
  for (const char* line : {
           "floatd_check_state{check=\"web\",state=\"failing\"} 1\n",
           "floatd_check_state{check=\"web\",state=\"passing\"} 0\n",
           "floatd_check_runs_total{check=\"web\",result=\"passed\"} 7\n",
           "floatd_check_runs_total{check=\"web\",result=\"failed\"} 3\n",
           "floatd_check_timeouts_total{check=\"web\"} 1\n",
           "floatd_check_duration_seconds_total{check=\"web\"} 1.500000\n",
           "floatd_check_last_duration_seconds{check=\"web\"} 0.250000\n",
           "# TYPE floatd_check_runs_total counter\n",
       }) {
    CHECK_MESSAGE(text.find(line) != std::string::npos, line);
  }
  CHECK(format_metrics({}, {}).find("floatd_check") == std::string::npos);  // no checks, no series
}
