// Overloaded: one visitor out of several lambdas, for std::visit over a
// std::variant (each alternative goes to the lambda that takes it).
//
// Thread-safety: a type with no state of its own; it is as safe as the
// lambdas it is built from.
#pragma once

namespace ferry {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace ferry
