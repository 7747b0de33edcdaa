#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/output/output_dir.hpp"
#include "statesim/output/run_record.hpp"
#include "statesim/output/trace_writer.hpp"

namespace statesim {

// A run that reached its end. An interrupted or unfinished run never yields a row, nor counts
// in aggregate.csv or the table.
bool finished(const RunRecord &r);

// CSV numbers in one fixed format so that files are byte-stable: integers as such, otherwise 10
// significant digits. NaN (an undefined value) is an empty cell.
std::string format_number(double v);
// Quotes a CSV field when it holds a separator, a quote or a line break.
std::string csv_field(const std::string &s);

// summary.csv, timeseries.csv and events.csv, row by row: the header, then the rows of one run
// ("" unless it finished).
std::string summary_header(const Scenario &sc);
std::string summary_rows(const Scenario &sc, const RunRecord &r);
std::string timeseries_header();
std::string timeseries_rows(const Scenario &sc, const RunRecord &r);
std::string events_header();
std::string events_rows(const Scenario &sc, const RunRecord &r); // in time order

// The metric values of finished runs per (point, architecture): all that aggregate.csv and the
// table need, a few doubles per run instead of whole results (histograms, timeseries).
class RunMetrics {
  public:
    explicit RunMetrics(const Scenario &sc);
    void add(const RunRecord &r); // ignores runs that did not finish
    std::size_t replications(std::size_t point, std::size_t arch) const;
    // Metric m over the replications of (point, arch), in replication order.
    std::vector<double> values(std::size_t point, std::size_t arch, std::size_t m) const;
    // Metric m of arch minus that of the first architecture, per replication both finished.
    std::vector<double> paired_diffs(std::size_t point, std::size_t arch, std::size_t m) const;

  private:
    struct Runs {
        std::vector<int> replications; // ascending
        std::vector<double> values;    // one row of metrics() per replication
    };
    const Runs &runs(std::size_t point, std::size_t arch) const;
    std::vector<std::vector<Runs>> runs_; // [point][architecture]
};

std::string aggregate_csv(const Scenario &sc, const RunMetrics &m);

// latency_histogram.csv: per (point, architecture), the latency histogram merged over its
// finished replications, one row per nonempty bucket [bucket_low_ms, bucket_high_ms).
std::string latency_histogram_header();
std::string latency_histogram_rows(const Scenario &sc, std::size_t point, std::size_t arch,
                                   const Histogram &merged);

// Whole-experiment versions of the above, over records in (point, architecture, replication)
// order; the same bytes as the streaming ResultWriter.
std::string summary_csv(const Scenario &sc, const std::vector<RunRecord> &runs);
std::string aggregate_csv(const Scenario &sc, const std::vector<RunRecord> &runs);
std::string timeseries_csv(const Scenario &sc, const std::vector<RunRecord> &runs);
std::string events_csv(const Scenario &sc, const std::vector<RunRecord> &runs);
std::string latency_histogram_csv(const Scenario &sc, const std::vector<RunRecord> &runs);
// The table of table.hpp over whole records.
std::string comparison_table(const Scenario &sc, const std::vector<RunRecord> &runs);

// Writes an experiment's outputs while it runs: add() takes runs in (point, architecture,
// replication) order and appends their summary, timeseries and events rows to the staging
// directory; attach() adds a text file (analyze.txt) to the set; finish() writes
// aggregate.csv, latency_histogram.csv, table.txt (the table and its precision warnings),
// warnings.txt (the scenario's warnings, then the precision warnings) and resolved.yaml, syncs
// everything and commits the set.
class ResultWriter {
  public:
    ResultWriter(const Scenario &sc, OutputDir &out);
    void add(const RunRecord &r);
    void attach(const std::string &name, const std::string &text);
    void finish();
    const RunMetrics &metrics() const { return metrics_; }
    std::size_t runs_finished() const { return finished_; }
    // What the terminal shows after the run: the table and its precision warnings, and a line
    // saying so when not every run finished (an interruption).
    std::string table_text() const;
    // --trace: trace.csv too (header only when no run traced anything); before the first add().
    void enable_trace() { trace_.emplace(sc_, out_); }

  private:
    const Scenario &sc_;
    OutputDir &out_;
    DurableFile summary_, timeseries_, events_;
    RunMetrics metrics_;
    std::vector<std::vector<Histogram>> latency_; // [point][architecture], merged
    std::size_t finished_ = 0;                    // runs added that finished
    std::vector<std::pair<std::string, std::string>> attached_;
    std::optional<TraceWriter> trace_;
};

} // namespace statesim
