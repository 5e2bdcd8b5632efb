#pragma once
// CHECK_ERROR(expr, matcher): expr throws an ebm::Error (not just any exception, as CHECK_THROWS_WITH would
// accept) whose message satisfies a Catch string matcher, e.g. Contains("batch_size = 0").
#include <catch2/catch.hpp>
#include <string>

#include "ebm/core/error.hpp"

namespace ebm::test {

template <class StringMatcher>
class ErrorMessage : public Catch::MatcherBase<Error> {
public:
  explicit ErrorMessage(const StringMatcher& m) : m_(m) {}
  bool match(const Error& e) const override { return m_.match(e.what()); }
  std::string describe() const override { return "has a message that " + m_.toString(); }

private:
  StringMatcher m_;
};

}  // namespace ebm::test

#define CHECK_ERROR(expr, matcher) CHECK_THROWS_MATCHES(expr, ::ebm::Error, ::ebm::test::ErrorMessage(matcher))
