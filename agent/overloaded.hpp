// The visitor idiom for std::visit: Overloaded{[](const A&) {...}, [](const B&) {...}}.
#pragma once

namespace floatd {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// C++20 deduces this by itself, but clang before 17 (Debian 12 has 14) needs the guide.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace floatd
