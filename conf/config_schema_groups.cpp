// [[group]] sections (sync groups) and the notify hooks of instances and groups (see
// schema_reader.hpp).
#include <fmt/format.h>

#include <algorithm>

#include "conf/schema_reader.hpp"

namespace floatd::conf {

GroupConfig SchemaReader::read_group(const toml::value& table, std::size_t number) {
  TableReader r(table, fmt::format("group #{}", number), diagnostics_);
  GroupConfig group;
  group.name = read_object_name(r, group_lines_, "group");
  read_group_members(r, group);
  group.hooks = read_hooks(r);
  r.report_unknown_keys();
  return group;
}

// Existing instances, each in at most one group: two groups sharing a member could pull it
// in opposite directions.
void SchemaReader::read_group_members(TableReader& r, GroupConfig& group) {
  const auto members = r.array("instances", Need::kRequired);
  if (!members) return;
  if (members->value->empty()) {
    r.error(*members->node, "instances must name at least one [[instance]]");
    return;
  }
  for (std::size_t i = 0; i < members->value->size(); ++i) {
    const toml::value& entry = (*members->value)[i];
    auto name = r.string_value(entry, fmt::format("instances entry {}", i + 1));
    if (!name) continue;
    if (!instance_lines_.contains(*name)) {
      r.error(entry, fmt::format("unknown instance '{}'{}", *name,
                                 did_you_mean(*name, names(instance_lines_))));
      continue;
    }
    const auto [first, inserted] = group_of_instance_.emplace(*name, r.context());
    if (!inserted) {
      r.error(entry, first->second == r.context()
                         ? fmt::format("instance '{}' is listed twice", *name)
                         : fmt::format("instance '{}' is already in {}; an instance belongs to "
                                       "one group",
                                       *name, first->second));
      continue;
    }
    group.instances.push_back(std::move(*name));
  }
}

HookConfig SchemaReader::read_hooks(TableReader& r) {
  HookConfig hooks;
  const std::pair<std::string_view, std::vector<std::string>*> keys[] = {
      {"notify", &hooks.notify},       {"on_master", &hooks.on_master},
      {"on_backup", &hooks.on_backup}, {"on_fault", &hooks.on_fault},
      {"on_stop", &hooks.on_stop},
  };
  for (const auto& [key, argv] : keys) {
    if (auto value = r.array(key, Need::kOptional)) *argv = read_argv(r, *value, key);
  }
  return hooks;
}

}  // namespace floatd::conf
