#include "agent/privileges.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include <fmt/format.h>

// Capabilities, the bounding set and no_new_privs are per-thread attributes: floatd is
// single-threaded, and both steps run before it would start any other thread.
namespace floatd::privileges {
namespace {

constexpr int kMaxCapability = 63;  // a CapSet's last bit; the kernel says where it really ends

// By number: kNames[CAP_NET_RAW] is "CAP_NET_RAW".
constexpr std::array<const char*, 41> kNames = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
    "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
static_assert(CAP_NET_RAW == 13 && CAP_SETUID == 7 && CAP_CHECKPOINT_RESTORE == 40);

bool has(CapSet set, int capability) { return (set & cap_bit(capability)) != 0; }

int count(CapSet set) { return __builtin_popcountll(set); }

std::string errno_text(const char* call) {
  return fmt::format("{}: {}", call, std::strerror(errno));
}

// capset(2) through the raw syscall (no libcap): version 3, two 32-bit words per set.
int set_caps(CapSet effective, CapSet permitted, CapSet inheritable) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int word = 0; word < _LINUX_CAPABILITY_U32S_3; ++word) {
    data[word].effective = static_cast<std::uint32_t>(effective >> (32 * word));
    data[word].permitted = static_cast<std::uint32_t>(permitted >> (32 * word));
    data[word].inheritable = static_cast<std::uint32_t>(inheritable >> (32 * word));
  }
  return static_cast<int>(::syscall(SYS_capset, &header, data));
}

std::string join(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e;
  return out;
}

}  // namespace

CapSet needed(bool root) {
  CapSet set = cap_bit(CAP_NET_ADMIN) | cap_bit(CAP_NET_RAW);
  if (root) set |= cap_bit(CAP_SETUID) | cap_bit(CAP_SETGID);
  return set;
}

Plan make_plan(const CapSets& now, bool root) {
  const CapSet need = needed(root);
  Plan plan;
  plan.root = root;
  plan.keep = need & now.permitted;
  // Root gets its capabilities back from the bounding set on execve: nothing to inherit.
  // A non-root floatd gets them back only through ambient (or file) capabilities.
  plan.inheritable = root ? 0 : now.inheritable & plan.keep;
  plan.ambient = root ? 0 : now.ambient & plan.inheritable;
  const CapSet extra = now.bounding & ~need;
  if (has(now.effective, CAP_SETPCAP)) {
    plan.bounding_drop = extra;
  } else {
    plan.bounding_extra = extra;
  }
  return plan;
}

CapSets expected(const CapSets& now, const Plan& plan) {
  CapSets after;
  after.effective = plan.keep;
  after.permitted = plan.keep;
  after.inheritable = plan.inheritable;
  after.ambient = plan.ambient;
  after.bounding = now.bounding & ~plan.bounding_drop;
  after.no_new_privs = true;
  return after;
}

std::string names(CapSet set) {
  std::string out;
  for (int c = 0; c <= kMaxCapability; ++c) {
    if (!has(set, c)) continue;
    if (!out.empty()) out += ' ';
    out += c < static_cast<int>(kNames.size()) ? std::string(kNames[static_cast<std::size_t>(c)])
                                               : fmt::format("cap_{}", c);
  }
  return out.empty() ? "none" : out;
}

std::string summary(const CapSets& after, const Plan& plan) {
  std::string out = after.permitted == 0 ? "kept no capabilities"
                                         : fmt::format("kept {}", names(after.permitted));
  if (after.effective != after.permitted)
    out += fmt::format(" (effective: {})", names(after.effective));
  const CapSet beyond = after.bounding & ~needed(plan.root);
  if (beyond == 0) {
    out += after.bounding == after.permitted
               ? std::string("; bounding set the same")
               : fmt::format("; bounding set {}", names(after.bounding));
  } else {
    out += fmt::format("; bounding set left with {} more (no CAP_SETPCAP to drop them)",
                       count(beyond));
  }
  if (after.inheritable == 0 && after.ambient == 0) {
    out += "; nothing inheritable or ambient";
  } else {
    out += fmt::format("; inheritable {}; ambient {}", names(after.inheritable),
                       names(after.ambient));
  }
  out += after.no_new_privs ? "; no new privileges" : "; new privileges NOT forbidden";
  return out;
}

CapSets read_current() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0)
    throw std::system_error(errno, std::generic_category(), "capget");
  CapSets sets;
  for (int word = 0; word < _LINUX_CAPABILITY_U32S_3; ++word) {
    sets.effective |= CapSet{data[word].effective} << (32 * word);
    sets.permitted |= CapSet{data[word].permitted} << (32 * word);
    sets.inheritable |= CapSet{data[word].inheritable} << (32 * word);
  }
  // Both answer EINVAL past the kernel's last capability.
  for (int c = 0; c <= kMaxCapability; ++c) {
    const int in_bounding = ::prctl(PR_CAPBSET_READ, c, 0, 0, 0);
    if (in_bounding < 0) break;
    if (in_bounding == 1) sets.bounding |= cap_bit(c);
  }
  for (int c = 0; c <= kMaxCapability; ++c) {
    const int ambient = ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
    if (ambient < 0) break;
    if (ambient == 1) sets.ambient |= cap_bit(c);
  }
  sets.no_new_privs = ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
  return sets;
}

std::string limit_exec(const Plan& plan) {
  CapSets now;
  try {
    now = read_current();
  } catch (const std::system_error& e) {
    return e.what();
  }
  std::vector<std::string> errors;
  // Only what is still there: a bounding set already limited (the unit) needs no call.
  for (int c = 0; c <= kMaxCapability; ++c) {
    if (has(plan.bounding_drop & now.bounding, c) && ::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0)
      errors.push_back(fmt::format("dropping {} from the bounding set: {}", names(cap_bit(c)),
                                   std::strerror(errno)));
  }
  if ((now.ambient & ~plan.ambient) != 0) {
    if (plan.ambient == 0) {
      if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        errors.push_back(errno_text("clearing the ambient set"));
    } else {
      for (int c = 0; c <= kMaxCapability; ++c) {
        if (has(now.ambient & ~plan.ambient, c) &&
            ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, c, 0, 0) != 0)
          errors.push_back(errno_text("lowering an ambient capability"));
      }
    }
  }
  const CapSet inheritable = now.inheritable & plan.inheritable;
  if (now.inheritable != inheritable &&
      set_caps(now.effective, now.permitted, inheritable) != 0)
    errors.push_back(errno_text("clearing the inheritable set (capset)"));
  if (!now.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    errors.push_back(errno_text("PR_SET_NO_NEW_PRIVS"));
  return join(errors);
}

std::string drop(const Plan& plan) {
  CapSets now;
  try {
    now = read_current();
  } catch (const std::system_error& e) {
    return e.what();
  }
  // keep is within the permitted set the plan was made from, which can only have shrunk.
  const CapSet keep = plan.keep & now.permitted;
  const CapSet inheritable = plan.inheritable & now.inheritable;
  if (now.effective == keep && now.permitted == keep && now.inheritable == inheritable) return "";
  if (set_caps(keep, keep, inheritable) != 0)
    return errno_text("limiting the effective and permitted sets (capset)");
  return "";
}

}  // namespace floatd::privileges
