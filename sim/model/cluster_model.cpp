#include "statesim/model/cluster_model.hpp"

namespace statesim {
namespace {

// How long the window's cohort is followed: RunSpec's bound, or ten mean workflow lengths
// (steps and waits) when that is longer, so workflows of days are not cut off (at most 100
// years).
SimTime drain_limit(const RunSpec &spec, const WorkflowSpec &w) {
    SimTime limit = spec.drain_limit();
    if (!w.enabled) return limit;
    const double mean = (w.steps - 1) * w.wait.expected() + w.steps * w.step_time.expected();
    return std::max(limit, from_seconds(std::min(10 * mean, 36500.0 * 86400)));
}

template <class T>
std::unique_ptr<T> make_if(bool wanted, ModelContext &ctx, Clients &clients,
                           AttemptPool &attempts) {
    return wanted ? std::make_unique<T>(ctx, clients, attempts) : nullptr;
}

// The tracer, registered in the context before any part can call it.
std::unique_ptr<SessionTracer> make_tracer(ModelContext &ctx, std::uint32_t sessions) {
    if (sessions == 0) return nullptr;
    auto tracer = std::make_unique<SessionTracer>(ctx, sessions);
    ctx.trace = tracer.get();
    return tracer;
}

} // namespace

ClusterModel::ClusterModel(const Architecture &arch, const RunSpec &spec, MetricsSink &sink)
    : spec_(spec), ctx_{sim_, arch, sink, spec.seed},
      tracer_(make_tracer(ctx_, spec.trace_sessions)), clients_(ctx_, attempts_),
      fleet_(make_if<ServerFleet>(arch.cluster.runtime == Runtime::servers, ctx_, clients_,
                                  attempts_)),
      functions_(make_if<ServerlessRuntime>(arch.cluster.runtime == Runtime::serverless, ctx_,
                                            clients_, attempts_)),
      backend_(fleet_ ? static_cast<ComputeBackend *>(fleet_.get()) : functions_.get()),
      faults_(ctx_, fleet_.get(), fleet_ ? fleet_->state() : functions_->state()) {
    if (tracer_) {
        tracer_->set_clients(&clients_);
        tracer_->set_nodes(fleet_ ? &fleet_->nodes() : &functions_->environment_group(),
                           fleet_ ? "node" : "env");
    }
    if (arch.workflows.enabled) {
        workflows_ = std::make_unique<Workflows>(ctx_, attempts_, *backend_);
        backend_->set_workflows(workflows_.get());
    }
}

void ClusterModel::dispatch(const Event &e) {
    switch (e.kind) {
    case session_arrival:
        clients_.on_session_arrival();
        break;
    case lb_arrival:
        if (const auto attempt = clients_.at_front_door(e.target, e.data); attempt >= 0)
            backend_->on_request(static_cast<std::uint32_t>(attempt));
        break;
    case client_response:
        if (attempts_[e.target].workflow)
            workflows_->on_response(e.target, e.data != 0);
        else
            clients_.on_response(e.target, e.data != 0);
        break;
    case workflow_arrival:
        workflows_->on_arrival();
        break;
    case workflow_step:
        workflows_->on_step_due(e.target, e.data);
        break;
    case client_timeout:
        clients_.on_timeout(e.target, e.data);
        break;
    case fault:
        faults_.on_fault(e.target);
        break;
    case periodic_deploy:
        faults_.on_periodic_deploy(true);
        break;
    case fault_over:
        faults_.on_fault_over(e.target);
        break;
    case zone_failure:
        faults_.on_zone_failure(static_cast<int>(e.target), e.data != 0);
        break;
    case store_failure:
        faults_.on_store_failure(static_cast<int>(e.target), e.data != 0);
        break;
    default:
        backend_->handle(e);
        break;
    }
}

// The window, then the drain: arrivals, faults and scaling stop and the run goes on until every
// session and workflow that started in the window has an outcome (bounded by drain_limit), so
// outcome shares do not depend on where the window ends.
ClusterModel::Outcome ClusterModel::run() {
    const SimTime end = spec_.end();
    ctx_.window_end = end;
    backend_->start();
    const SimTime limit = end + drain_limit(spec_, ctx_.arch.workflows);
    clients_.start(end, limit);
    faults_.start(end);
    if (workflows_) workflows_->start(end);
    auto awaiting = [&] {
        return clients_.awaiting_outcome() + (workflows_ ? workflows_->awaiting_outcome() : 0);
    };
    struct Handler {
        ClusterModel &m;
        void operator()(const Event &e) const { m.dispatch(e); }
        // A request that reaches the balancer after a think time reads its session: with a
        // million sessions that is a memory miss, started here a few events early.
        void prefetch(const Event &e) const {
            if (e.kind == lb_arrival || e.kind == client_timeout)
                m.clients_.prefetch_slot(e.target);
        }
    } handler{*this};
    Outcome out;
    out.events = sim_.run(end, handler, spec_.stop);
    out.interrupted = sim_.stopped();
    out.stopped_at = out.interrupted ? sim_.now() : end;
    if (!out.interrupted) {
        while (awaiting() > 0 && sim_.now() < limit && !sim_.stopped())
            out.events += sim_.run(std::min(limit, sim_.now() + 10 * kSecond), handler, spec_.stop);
        out.interrupted = sim_.stopped();
    }
    out.still_open = clients_.open_measured();
    out.workflows_running = workflows_ ? workflows_->awaiting_outcome() : 0;
    out.draws = clients_.draws;
    out.sessions_peak = clients_.slots();
    if (tracer_) out.trace = tracer_->take(sim_.now());
    return out;
}

} // namespace statesim
