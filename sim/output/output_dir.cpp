#include "statesim/output/output_dir.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdio.h> // renameat2 (glibc >= 2.28)
#include <system_error>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

namespace statesim {
namespace fs = std::filesystem;
namespace {

std::string errno_text() {
    return std::strerror(errno);
}

// Flushes a directory entry (a created or renamed file) to the disk.
void sync_directory(const std::string &dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) throw OutputError(fmt::format("{}: {}", dir, errno_text()));
    const int rc = ::fsync(fd);
    const std::string why = rc != 0 ? errno_text() : "";
    ::close(fd);
    if (rc != 0) throw OutputError(fmt::format("{}: fsync: {}", dir, why));
}

// The target as an absolute path without a trailing separator, so that its parent is the
// directory the staging directory goes into.
fs::path normalise(const std::string &dir) {
    fs::path p = fs::absolute(dir).lexically_normal();
    if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
    return p;
}

// A sibling of `target` that does not exist yet: target + suffix + pid + counter.
std::string fresh_sibling(const fs::path &target, const char *suffix) {
    static std::atomic<unsigned> counter{0};
    for (;;) {
        std::string name =
            fmt::format("{}{}-{}-{}", target.string(), suffix, ::getpid(), counter.fetch_add(1));
        std::error_code ec;
        if (!fs::exists(name, ec) && !ec) return name;
    }
}

// Refuses to replace a directory that holds anything statesim did not write.
void check_replaceable(const fs::path &target) {
    std::error_code ec;
    const auto status = fs::symlink_status(target, ec);
    if (ec || status.type() == fs::file_type::not_found) return;
    // A symbolic link (even to a directory) is refused: replacing it would replace the link.
    if (status.type() == fs::file_type::symlink)
        throw OutputError("is a symbolic link; give the directory itself or a new path");
    if (status.type() != fs::file_type::directory)
        throw OutputError("exists and is not a directory");
    bool empty = true, marked = false;
    for (const auto &entry : fs::directory_iterator(target, ec)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || !is_output_file(name))
            throw OutputError(fmt::format("it holds \"{}\", which statesim did not write; choose a "
                                          "new or empty directory",
                                          name));
        empty = false;
        marked = marked || name == "resolved.yaml";
    }
    if (ec) throw OutputError(ec.message());
    // Every set statesim commits has resolved.yaml: files with statesim's names but without it
    // (a user's own table.txt or summary.csv) are not a set it wrote.
    if (!empty && !marked)
        throw OutputError("it holds files named like statesim's outputs but no resolved.yaml, so "
                          "not a set statesim wrote; choose a new or empty directory");
}

// Removes statesim's files from an old output directory, then the directory if empty.
void remove_old(const fs::path &old) {
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(old, ec))
        if (entry.is_regular_file() && is_output_file(entry.path().filename().string()))
            fs::remove(entry.path(), ec);
    fs::remove(old, ec); // fails, harmlessly, if something else appeared meanwhile
}

} // namespace

bool is_output_file(const std::string &name) {
    static const char *const known[] = {
        "summary.csv",           "aggregate.csv", "timeseries.csv", "events.csv",
        "latency_histogram.csv", "resolved.yaml", "table.txt",      "warnings.txt",
        "analyze.txt",           "trace.csv",     "report.html"};
    for (const char *k : known)
        if (name == k) return true;
    // Plots rendered from the previous set are stale: plots/statesim_plots names them
    // STEM.png or STEM-point-N.png, and its temporaries .tmp-PID-NAME.png.
    static const char *const plots[] = {"comparison", "latency_cdf", "timeseries",
                                        "sweep",      "serverless",  "workflows"};
    if (!name.ends_with(".png")) return false;
    if (name.starts_with(".tmp-")) return true;
    const std::string stem = name.substr(0, name.size() - 4);
    for (const char *p : plots)
        if (stem == p || stem.starts_with(std::string(p) + "-point-")) return true;
    return false;
}

DurableFile::DurableFile(std::string path) : path_(std::move(path)) {
    file_ = std::fopen(path_.c_str(), "wbx"); // x: never reuse an existing file
    if (!file_) throw OutputError(fmt::format("{}: {}", path_, errno_text()));
}

DurableFile::~DurableFile() {
    if (file_) std::fclose(file_);
}

void DurableFile::write(std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size())
        throw OutputError(fmt::format("{}: {}", path_, errno_text()));
}

void DurableFile::close() {
    const bool ok = std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
    const std::string why = ok ? "" : errno_text();
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok || !closed) throw OutputError(fmt::format("{}: {}", path_, ok ? errno_text() : why));
}

OutputDir::OutputDir(const std::string &dir) {
    const fs::path target = normalise(dir);
    target_ = target.string();
    if (target == target.root_path()) throw OutputError("cannot replace the root directory");
    check_replaceable(target);
    std::error_code ec;
    // The parents that do not exist yet (a dangling symlink exists: it is never replaced) are
    // created one by one, and only those this set created itself (not one that a concurrent run
    // made meanwhile) are removed again when nothing is committed.
    std::vector<fs::path> missing;
    for (fs::path p = target.parent_path(); !p.empty(); p = p.parent_path()) {
        if (fs::symlink_status(p, ec).type() != fs::file_type::not_found) break;
        missing.push_back(p);
        if (p == p.root_path() || p.parent_path() == p) break;
    }
    for (auto p = missing.rbegin(); p != missing.rend(); ++p) {
        if (!fs::create_directory(*p, ec))
            break; // an error, or made by someone else: checked below
        created_parents_.insert(created_parents_.begin(), p->string()); // deepest first
    }
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
        remove_created_parents();
        throw OutputError(ec.message());
    }
    // Creating the staging directory is the writability probe: it needs what commit() needs.
    staging_ = fresh_sibling(target, ".tmp");
    bool made = fs::create_directory(staging_, ec);
    if (ec == std::errc::no_such_file_or_directory) {
        // A concurrent run that gave up removed a parent it had made, which this one shares.
        fs::create_directories(target.parent_path(), ec);
        if (!ec) made = fs::create_directory(staging_, ec);
    }
    if (!made || ec) {
        remove_created_parents();
        throw OutputError(ec ? ec.message() : "cannot create " + staging_);
    }
}

// Nothing written (an error, or Ctrl-C before any run finished): the parents this set created
// go again, unless something else has been put in them meanwhile (remove() leaves a directory
// that is not empty) or one was replaced by something other than a directory.
void OutputDir::remove_created_parents() {
    std::error_code ec;
    for (const std::string &p : created_parents_)
        if (fs::symlink_status(p, ec).type() != fs::file_type::directory || !fs::remove(p, ec))
            break;
}

OutputDir::~OutputDir() {
    if (committed_) return;
    std::error_code ec;
    fs::remove_all(staging_, ec); // our own directory: nothing else lives there
    remove_created_parents();
}

std::string OutputDir::staged(std::string_view file) const {
    return fmt::format("{}/{}", staging_, file);
}

void OutputDir::commit() {
    // Checked again: a user's file may have appeared in the directory during the run. It is
    // not replaced; the results stay in the staging directory, which the message names.
    try {
        check_replaceable(target_);
    } catch (const OutputError &e) {
        committed_ = true; // keep the staged results
        throw OutputError(fmt::format("{} (it appeared during the run); the results are in {}",
                                      e.what(), staging_));
    }
    sync_directory(staging_);
    const std::string parent = fs::path(target_).parent_path().string();
    std::error_code ec;
    written_to_ = target_;
    if (keep_existing_ && fs::exists(target_, ec) && !fs::is_empty(target_, ec)) {
        written_to_ = fresh_sibling(target_, ".partial");
        if (::rename(staging_.c_str(), written_to_.c_str()) != 0)
            throw OutputError(
                fmt::format("rename {} to {}: {}", staging_, written_to_, errno_text()));
    } else if (!fs::exists(target_, ec)) {
        if (::rename(staging_.c_str(), target_.c_str()) != 0)
            throw OutputError(fmt::format("rename {} to {}: {}", staging_, target_, errno_text()));
    } else if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(),
                           RENAME_EXCHANGE) == 0) {
        remove_old(staging_); // now holds the old set
    } else {
        // No atomic exchange on this file system: move the old set aside, then the new in.
        const std::string old = fresh_sibling(target_, ".old");
        if (::rename(target_.c_str(), old.c_str()) != 0)
            throw OutputError(fmt::format("rename {} to {}: {}", target_, old, errno_text()));
        if (::rename(staging_.c_str(), target_.c_str()) != 0) {
            const std::string why = errno_text();
            ::rename(old.c_str(), target_.c_str()); // put the old set back
            throw OutputError(fmt::format("rename {} to {}: {}", staging_, target_, why));
        }
        remove_old(old);
    }
    committed_ = true;
    sync_directory(parent);
}

} // namespace statesim
