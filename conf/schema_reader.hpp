// Internal to conf/: the reader behind read_config (config_schema.hpp), one pass over the TOML
// document that reports every problem. Split by concern over three files:
//   config_schema.cpp          the document, [global], [[instance]] (VIPs, GARP, names, VRIDs)
//   config_schema_checks.cpp   [[check]] (command, tcp, http) and an instance's `track` list
//   config_schema_groups.cpp   [[group]] and the notify hooks of instances and groups
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml.hpp>

#include "conf/config.hpp"
#include "conf/toml_reader.hpp"

namespace floatd::conf {

// Instance and group names end up in journal fields, status JSON and environment variables.
bool valid_object_name(std::string_view name);
inline constexpr std::size_t kMaxObjectNameLength = 32;

// The kernel's dev_valid_name() (what `ip link` accepts), minus control characters.
bool valid_interface_name(std::string_view name);
inline constexpr std::size_t kMaxInterfaceNameLength = 15;  // IFNAMSIZ - 1

class SchemaReader {
 public:
  explicit SchemaReader(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}
  Config read(const toml::value& root);

 private:
  using FirstLines = std::map<std::string, int, std::less<>>;  // name -> line it was defined on

  GlobalConfig read_global(const toml::value& table);
  InstanceConfig read_instance(const toml::value& table, std::size_t number);
  void read_vips(TableReader& r, InstanceConfig& instance);
  void read_garp(TableReader& r, InstanceConfig& instance);

  // config_schema_checks.cpp
  CheckConfig read_check(const toml::value& table, std::size_t number);
  void read_probe(TableReader& r, CheckConfig& check);
  void read_tracks(TableReader& r, InstanceConfig& instance);
  bool read_track_subject(TableReader& t, TableReader& instance_reader,
                          const InstanceConfig& instance, TrackConfig& track);

  // config_schema_groups.cpp
  GroupConfig read_group(const toml::value& table, std::size_t number);
  void read_group_members(TableReader& r, GroupConfig& group);
  HookConfig read_hooks(TableReader& r);

  // An argv: a non-empty array of strings whose first entry is an absolute path.
  std::vector<std::string> read_argv(TableReader& r, const Field<const toml::array*>& argv,
                                     std::string_view key);
  // The `name` of an instance or group (valid_object_name), which becomes the reader's
  // context ("instance 'web'") and is claimed; "" when missing or invalid (reported).
  std::string read_object_name(TableReader& r, FirstLines& first_lines, std::string_view kind);
  // Records where a name was first defined; a later definition is reported at its name.
  void claim_name(FirstLines& first_lines, TableReader& r, const Field<std::string>& name,
                  std::string_view kind);
  void claim_vrid(TableReader& r, const std::string& interface, const Field<std::int64_t>& vrid);
  static std::vector<std::string> names(const FirstLines& lines);

  Diagnostics& diagnostics_;
  FirstLines check_lines_;
  FirstLines instance_lines_;
  FirstLines group_lines_;
  std::map<std::string, std::string, std::less<>> group_of_instance_;  // -> "group 'g'"
  std::map<std::pair<std::string, std::int64_t>, std::string> vrid_users_;  // -> first user
};

}  // namespace floatd::conf
