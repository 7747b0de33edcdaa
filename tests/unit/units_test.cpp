#include <doctest/doctest.h>

#include <cmath>

#include "statesim/config/units.hpp"

using namespace statesim;

namespace {
// Unit factors are exact or within a rounding of the literal: 1e-12 relative, not an absolute
// tolerance of scale 1 (which took 250us within 5 %).
bool near(double got, double want) {
    return std::fabs(got - want) <= 1e-12 * std::fabs(want);
}
} // namespace

TEST_CASE("durations carry units") {
    CHECK(units::duration("250us").value == 2.5e-4);
    CHECK(near(units::duration("250us").value, 2.5e-4));
    CHECK(units::duration("20ms").value == 0.02);
    CHECK(near(units::duration("1ns").value, 1e-9));
    CHECK(near(units::duration("0.5ms").value, 5e-4));
    CHECK(units::duration("5s").value == 5);
    CHECK(units::duration("10m").value == 600);
    CHECK(units::duration("10min").value == 600);
    CHECK(units::duration("2h").value == 7200);
    CHECK(units::duration("2d").value == 172800);
    CHECK(units::duration("1.5s").value == 1.5);
    CHECK(units::duration("0s").value == 0);
}

TEST_CASE("a bare number where a unit is required is an error that says so") {
    const auto p = units::duration("20");
    CHECK_FALSE(p.ok());
    CHECK(p.error.find("needs a unit") != std::string::npos);
    CHECK_FALSE(units::duration("fast").ok());
    CHECK_FALSE(units::duration("5 parsecs").ok());
    CHECK_FALSE(units::duration("-5s").ok());
    CHECK_FALSE(units::rate("50").ok());
    CHECK_FALSE(units::size("300").ok());
}

TEST_CASE("rates and sizes and bandwidths and fractions") {
    CHECK(units::rate("50/s").value == 50);
    CHECK(near(units::rate("300/min").value, 5));
    CHECK(near(units::rate("2/h").value, 2.0 / 3600));
    CHECK(near(units::rate("1/d").value, 1.0 / 86400));
    CHECK(units::size("300B").value == 300);
    CHECK(units::size("4KiB").value == 4096);
    CHECK(units::size("2MiB").value == 2 * 1024 * 1024);
    CHECK(units::size("1GB").value == 1e9);
    CHECK(units::bandwidth("10MiB/s").value == 10 * 1024 * 1024);
    CHECK_FALSE(units::bandwidth("10MiB").ok());
    CHECK(near(units::fraction("60%").value, 0.6));
    CHECK(units::fraction("0.6").value == 0.6);
    CHECK(near(units::fraction("0.1%").value, 0.001));
    CHECK_FALSE(units::fraction("160%").ok());
    CHECK_FALSE(units::fraction("1.5").ok());
}

TEST_CASE("did-you-mean finds close words only") {
    const std::vector<std::string> opts = {"round_robin", "random", "least_outstanding"};
    CHECK(units::did_you_mean("round-robbin", opts) == "round_robin");
    CHECK(units::did_you_mean("randon", opts) == "random");
    CHECK_FALSE(units::did_you_mean("zzzzzzzz", opts).has_value());
}

TEST_CASE("durations format compactly") {
    CHECK(units::format_duration(7200) == "2h");
    CHECK(units::format_duration(600) == "10m");
    CHECK(units::format_duration(1.5) == "1.5s");
    CHECK(units::format_duration(0.02) == "20ms");
}
