// `floatd doctor [-c PATH] [--listen DURATION]`: a preflight of this host against the
// configuration. Prints every finding with its fix; exit 0 when nothing is wrong, 1 when
// something is (or the configuration does not load), 2 on a usage error.
#pragma once

namespace floatd {

// argv[0] is "doctor" (floatd's main hands over its arguments from there).
int doctor_main(int argc, char** argv);

}  // namespace floatd
