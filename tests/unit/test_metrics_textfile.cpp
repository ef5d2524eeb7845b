// global.metrics_textfile: written whole or not at all, readable by the collector.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "agent/metrics_textfile.hpp"

using namespace floatd;

TEST_CASE("metrics textfile: replaced atomically, mode 0644, no temporary left") {
  char dir[] = "/tmp/floatd-textfile-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string path = std::string(dir) + "/floatd.prom";
  REQUIRE(write_file_atomically(path, "a 1\n").empty());
  REQUIRE(write_file_atomically(path, "b 2\n").empty());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "b 2\n");
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(access((path + ".tmp").c_str(), F_OK) != 0);
  unlink(path.c_str());
  rmdir(dir);
}

TEST_CASE("metrics textfile: a missing directory is an error naming the file") {
  const auto error = write_file_atomically("/nonexistent-floatd/x.prom", "a 1\n");
  CHECK(error.find("/nonexistent-floatd/x.prom.tmp: No such file or directory") == 0);
}
