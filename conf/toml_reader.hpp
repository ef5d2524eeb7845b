// Typed access to TOML tables that reports every problem with its position instead of throwing.
// Internal to conf/: the schema in config_schema.cpp is written against it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <toml.hpp>
#include <vector>

#include "agent/time.hpp"
#include "conf/config_loader.hpp"

namespace floatd::conf {

// Collects the problems of one load. Positions are toml11's: 1-based line and column.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void add(int line, int column, std::string message);
  void add(const toml::value& at, std::string message);
  bool empty() const { return items_.empty(); }
  // In file order: tables are visited in schema order and keys in hash order, but a reader
  // wants the list top to bottom.
  std::vector<Diagnostic> take_sorted() &&;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

// A value that was read, with the node it came from so later checks can point at it.
template <typename T>
struct Field {
  T value;
  const toml::value* node;
};

enum class Need { kOptional, kRequired };

struct IntRange {
  std::int64_t min;
  std::int64_t max;
};

struct DurationRange {
  Duration min = Duration::zero();
  std::optional<Duration> max;  // none: only a lower bound
};

// " (did you mean 'x'?)" naming the nearest candidate within edit distance 2, or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Reads the keys of one TOML table. Every accessor returns nullopt when the key is absent
// (reported if required) or its value is invalid (reported), so callers keep their default and
// carry on: one pass finds every problem. Messages are prefixed with the context, e.g.
// "instance 'web': ".
class TableReader {
 public:
  // `table` must be a TOML table; an empty context means the top level.
  TableReader(const toml::value& table, std::string context, Diagnostics& diagnostics);

  void set_context(std::string context) { context_ = std::move(context); }
  const std::string& context() const { return context_; }
  bool contains(std::string_view key) const;

  std::optional<Field<std::string>> string(std::string_view key, Need need = Need::kOptional);
  std::optional<Field<std::int64_t>> integer(std::string_view key, IntRange range,
                                             Need need = Need::kOptional);
  std::optional<Field<bool>> boolean(std::string_view key);
  std::optional<Field<Duration>> duration(std::string_view key, DurationRange range);
  std::optional<Field<const toml::array*>> array(std::string_view key, Need need);
  // A sub-table such as [global]; `how` says how to write it, for the type error.
  const toml::value* table(std::string_view key, std::string_view how);
  // An array of tables such as [[check]] or track = [{...}]; elements that are not tables are
  // reported and left out.
  std::vector<const toml::value*> tables(std::string_view key, std::string_view how);

  // Checks that an array element or value is a string without NUL (which argv, paths and
  // interface names cannot carry); `label` names it in the message, e.g. "vips entry 2".
  std::optional<std::string> string_value(const toml::value& value, std::string_view label);

  // Reports a problem at `at`, prefixed with the context.
  void error(const toml::value& at, std::string_view message);
  // Reports a problem with the table as a whole (at its header), prefixed with the context.
  void table_error(std::string_view message);
  // Reports every key nothing asked for, with the nearest known key as a hint. Call last.
  void report_unknown_keys();

 private:
  // Marks `key` as known and returns its value, or reports it when required and absent.
  const toml::value* find(std::string_view key, Need need);
  // Checks the type of a present value; reports "KEY must be TYPE, not TYPE" otherwise.
  bool expect_type(const toml::value& value, std::string_view key, toml::value_t type);
  std::string prefixed(std::string_view message) const;

  const toml::value& table_;
  std::string context_;
  Diagnostics& diagnostics_;
  std::vector<std::string> known_keys_;
};

}  // namespace floatd::conf
