#pragma once
#include <string>
#include <vector>

namespace statesim::cli {

// `statesim bench phold|hold|cluster [options]`; prints one key=value line. Returns exit code.
int run_bench(const std::vector<std::string> &args);

} // namespace statesim::cli
