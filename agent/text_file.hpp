// A whole (small) text file: configuration snippets, /proc and /sys values, state files.
#pragma once
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace floatd {

// The file's contents, or nullopt when it cannot be opened.
inline std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace floatd
