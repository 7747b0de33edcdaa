#include "statesim/output/atomic_file.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace statesim {

void write_atomically(const std::string &path, const std::string &content) {
    const std::string tmp = path + ".tmp";
    std::FILE *f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw std::runtime_error(fmt::format("cannot write {}", tmp));
    const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
    if (std::fclose(f) != 0 || !ok) {
        std::remove(tmp.c_str());
        throw std::runtime_error(fmt::format("cannot write {}", tmp));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        throw std::runtime_error(
            fmt::format("cannot rename {} to {}: {}", tmp, path, ec.message()));
}

} // namespace statesim
