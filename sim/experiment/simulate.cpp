#include "statesim/experiment/simulate.hpp"

#include "statesim/output/cost.hpp"
#include "statesim/output/recorder.hpp"

namespace statesim {

RunResult simulate(const Architecture &arch, const RunSpec &spec) {
    Recorder recorder(spec.warmup, spec.end(), spec.timeseries_interval);
    ClusterModel model(arch, spec, recorder);
    const ClusterModel::Outcome out = model.run();
    RunResult r = recorder.finish(out.stopped_at);
    r.sim_events = out.events;
    r.interrupted = out.interrupted;
    r.sessions_active = out.still_open; // counted, not derived from the other counts
    r.workflows_active = out.workflows_running;
    r.draws = out.draws;
    r.sessions_peak = out.sessions_peak;
    r.trace = std::move(out.trace);
    price(r, arch);
    return r;
}

} // namespace statesim
