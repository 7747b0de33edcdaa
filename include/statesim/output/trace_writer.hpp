#pragma once
#include <string>

#include "statesim/config/scenario.hpp"
#include "statesim/output/output_dir.hpp"
#include "statesim/output/run_record.hpp"

namespace statesim {

// trace.csv (`statesim run --trace N`): the header, then the traced rows of one run ("" unless
// it finished), in time order.
std::string trace_header();
std::string trace_rows(const Scenario &sc, const RunRecord &r);

// trace.csv in the staging directory, written as the runs come in (point, architecture,
// replication order; only replication 0 carries rows), fsynced by close().
class TraceWriter {
  public:
    TraceWriter(const Scenario &sc, OutputDir &out);
    void add(const RunRecord &r) { file_.write(trace_rows(sc_, r)); }
    void close() { file_.close(); }

  private:
    const Scenario &sc_;
    DurableFile file_;
};

} // namespace statesim
