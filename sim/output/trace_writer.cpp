#include "statesim/output/trace_writer.hpp"

#include <fmt/format.h>

#include "statesim/output/writers.hpp"

namespace statesim {

std::string trace_header() {
    return "point,architecture,replication,time_s,session,request,attempt,event,node,detail\n";
}

std::string trace_rows(const Scenario &sc, const RunRecord &r) {
    if (!finished(r)) return "";
    const std::string name = csv_field(sc.points[r.point].architectures[r.architecture].name);
    std::string out;
    for (const TraceRow &t : r.result.trace)
        out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", r.point, name, r.replication,
                           format_number(t.time_s), t.session, t.request, t.attempt,
                           name_of(t.event), csv_field(t.node), csv_field(t.detail));
    return out;
}

TraceWriter::TraceWriter(const Scenario &sc, OutputDir &out)
    : sc_(sc), file_(out.staged("trace.csv")) {
    file_.write(trace_header());
}

} // namespace statesim
