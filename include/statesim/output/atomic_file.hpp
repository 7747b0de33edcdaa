#pragma once
#include <string>

namespace statesim {

// Writes `content` to `path` through a temporary file and a rename, so a reader (or an
// interrupted run) never sees a half-written file. Throws std::runtime_error on I/O failure.
void write_atomically(const std::string &path, const std::string &content);

} // namespace statesim
