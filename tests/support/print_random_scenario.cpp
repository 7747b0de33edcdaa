// Prints the random scenario of a seed (tests/support/random_scenario.hpp) as YAML, so that the
// shell tests can hand the property tests' configurations to the real binary.
#include <cstdint>
#include <iostream>
#include <string>

#include "random_scenario.hpp"

int main(int argc, char **argv) {
    if (argc != 2) {
        std::cerr << "usage: print_random_scenario SEED\n";
        return 2;
    }
    try {
        const std::uint64_t seed = std::stoull(argv[1]);
        std::cout << statesim::test::RandomScenario(seed).yaml();
    } catch (const std::exception &e) {
        std::cerr << "error: SEED: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
