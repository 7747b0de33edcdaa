#pragma once
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace statesim {

// The output directory cannot be written (the message says why).
struct OutputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A file written in pieces and flushed to the disk (fsync) by close(). Throws OutputError.
class DurableFile {
  public:
    explicit DurableFile(std::string path);
    ~DurableFile(); // closes without syncing when close() was not reached (an error path)
    DurableFile(const DurableFile &) = delete;
    DurableFile &operator=(const DurableFile &) = delete;

    void write(std::string_view text);
    void close();

  private:
    std::string path_;
    std::FILE *file_ = nullptr;
};

// One experiment's set of output files, written so that a reader never sees old and new files
// mixed: everything goes into a fresh staging directory next to the target
// (`DIR.tmp-<pid>-<n>`), each file is fsynced, and commit() swaps the staging directory into
// place (an atomic exchange where the file system has one, else two renames) and removes the
// old set. Without commit() (an error), the staging directory is removed and DIR is untouched.
// An existing DIR is only replaced when it holds nothing but statesim's own outputs (CSV,
// resolved.yaml, plots), so a mistyped --out never deletes a user's files.
class OutputDir {
  public:
    // Checks that `dir` can be written and creates the staging directory: call before any
    // simulation. Throws OutputError with the reason.
    explicit OutputDir(const std::string &dir);
    ~OutputDir();
    OutputDir(const OutputDir &) = delete;
    OutputDir &operator=(const OutputDir &) = delete;

    // Path of `file` inside the staging directory.
    std::string staged(std::string_view file) const;
    const std::string &target() const { return target_; }
    // A set that must not replace an existing DIR (an interrupted run's partial results over a
    // previous complete set): commit() then moves it to a new sibling `DIR.partial-<pid>-<n>`
    // instead, and DIR keeps what it held.
    void keep_existing() { keep_existing_ = true; }
    void commit();
    // Where commit() put the set: DIR, or the sibling of keep_existing().
    const std::string &written_to() const { return written_to_; }

  private:
    void remove_created_parents();
    std::string target_, staging_, written_to_;
    std::vector<std::string> created_parents_; // by the constructor, deepest first
    bool committed_ = false;
    bool keep_existing_ = false;
};

// Files statesim itself writes into an output directory (and may therefore replace): its CSVs,
// texts and resolved.yaml, and the plots' names (comparison*.png, latency_cdf*.png,
// timeseries*.png, sweep*.png, serverless*.png, workflows*.png, a plot script's temporary
// .tmp-*.png), never any other file.
bool is_output_file(const std::string &name);

} // namespace statesim
