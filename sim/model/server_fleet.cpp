#include "statesim/model/server_fleet.hpp"

namespace statesim {

ServerFleet::ServerFleet(ModelContext &ctx, Clients &clients, AttemptPool &attempts)
    : ctx_(ctx), clients_(clients), attempts_(attempts),
      nodes_(ctx.arch.cluster.zones),
      lb_(ctx.arch.load_balancer, ctx.seed), health_(ctx),
      state_(make_state_backend(ctx, nodes_, clients)), net_rng_(ctx.seed, "fleet_network"),
      boot_rng_(ctx.seed, "boot"), warmup_period_(from_seconds(ctx.arch.cluster.warmup_period)) {
    clients_.set_state_backend(state_.get());
}

// The initial nodes are running, warm and healthy at time 0, spread round-robin over zones.
void ServerFleet::start() {
    for (int i = 0; i < ctx_.arch.cluster.nodes; ++i) {
        const int slot = nodes_.launch(i % nodes_.zones());
        Node &n = nodes_[slot];
        n.state = NodeState::running;
        n.warm_from_start = true;
        lb_.set_state(nodes_.ref(slot), LoadBalancer::Target::healthy);
        health_.watch(nodes_.ref(slot), true);
    }
    report_fleet();
}

int ServerFleet::capacity(const Node &n) const {
    return n.capacity(ctx_.now(), ctx_.arch.cluster.workers, ctx_.arch.cluster.warmup_capacity,
                      warmup_period_);
}

void ServerFleet::handle(const Event &e) {
    const auto node = static_cast<int>(e.target);
    switch (e.kind) {
    case node_arrival:
        on_node_arrival(node, static_cast<std::uint32_t>(e.data));
        break;
    case service_done:
        on_service_done(node, static_cast<std::uint32_t>(e.data),
                        static_cast<std::uint32_t>(e.data >> 32));
        break;
    case health_probe:
        on_probe(node, static_cast<std::uint32_t>(e.data));
        break;
    case node_booted:
        on_booted(node, static_cast<std::uint32_t>(e.data));
        break;
    case node_warm:
        if (nodes_.holds({node, static_cast<std::uint32_t>(e.data)})) {
            start_waiting(node); // full capacity now
            report_fleet();
        }
        break;
    default:
        break;
    }
}

// The balancer picks a target (sticky cookie first) and forwards the attempt one hop on; with
// no routable target it answers 503 itself.
void ServerFleet::on_request(std::uint32_t attempt) {
    Attempt &a = attempts_[attempt];
    const Session *s = clients_.owner(a);
    const NodeRef target = lb_.route(s ? *s : orphan_, ctx_.now());
    a.node = target;
    if (!target.valid()) {
        respond(attempt, false);
        return;
    }
    lb_.request_sent(target);
    const SimTime at = ctx_.now() + ctx_.hop(net_rng_);
    clients_.guard(attempt, at);
    ctx_.sim.schedule(at, node_arrival, static_cast<std::uint32_t>(target.index), attempt);
}

void ServerFleet::on_node_arrival(int node, std::uint32_t attempt) {
    Attempt &a = attempts_[attempt];
    Node &n = nodes_[node];
    if (n.generation != a.node.generation || !n.running()) {
        respond(attempt, false); // the host is gone: the balancer answers 502
        return;
    }
    a.arrived = ctx_.now();
    if (n.first_request_at < 0 && !n.warm_from_start) {
        n.first_request_at = ctx_.now(); // warmup_capacity runs from the first routed request
        ctx_.sim.schedule(ctx_.now() + warmup_period_, node_warm, static_cast<std::uint32_t>(node),
                          n.generation);
    }
    if (n.busy < capacity(n)) {
        start_service(node, attempt, 1);
        return;
    }
    if (static_cast<int>(n.queue.size()) >= ctx_.arch.cluster.queue_limit) {
        respond(attempt, false); // 503: queue full
        return;
    }
    n.queue.push_back(attempt);
    ctx_.sink.work_changed(ctx_.now(), 1, 0);
    clients_.guard(attempt, kForever); // the wait is unknown: the client's timer runs
}

// A worker takes the attempt; the state backend says how long it holds the worker.
void ServerFleet::start_service(int node, std::uint32_t attempt, int arriving) {
    Node &n = nodes_[node];
    ++n.busy;
    ctx_.sink.work_changed(ctx_.now(), arriving, 1);
    Attempt &a = attempts_[attempt];
    a.in_service = true;
    Session *s = clients_.waits_for(a) ? clients_.owner(a) : nullptr;
    const SimTime done = state_->serve(a, s, node, ctx_.now());
    clients_.guard(attempt, done);
    ctx_.sim.schedule(done, service_done, static_cast<std::uint32_t>(node),
                      attempt | (static_cast<std::uint64_t>(n.generation) << 32));
}

void ServerFleet::on_service_done(int node, std::uint32_t attempt, std::uint32_t generation) {
    Node &n = nodes_[node];
    if (n.generation != generation) return; // the node crashed meanwhile: already failed
    attempts_[attempt].in_service = false;
    --n.busy;
    ctx_.sink.work_changed(ctx_.now(), -1, -1);
    ctx_.sink.served(ctx_.now(), ctx_.now() - attempts_[attempt].arrived);
    respond(attempt, attempts_[attempt].ok);
    start_waiting(node);
}

void ServerFleet::start_waiting(int node) {
    Node &n = nodes_[node];
    while (!n.queue.empty() && n.busy < capacity(n)) {
        const std::uint32_t next = n.queue.front();
        n.queue.pop_front();
        start_service(node, next, 0);
    }
}

// The response goes node -> balancer -> client (two hops, plus the token's transfer).
void ServerFleet::respond(std::uint32_t attempt, bool ok) {
    Attempt &a = attempts_[attempt];
    a.ok = ok;
    if (a.node.valid()) lb_.request_done(a.node);
    SimTime transfer = 0;
    if (ctx_.arch.state.location == StateLocation::client) { // the token rides the response
        const Session *s = clients_.owner(a);
        if (s && clients_.waits_for(a)) transfer = clients_.token_transfer(*s);
    } else {
        clients_.prefetch(a); // the client reads its session when the response lands
    }
    const SimTime at = ctx_.now() + ctx_.hop(net_rng_) + ctx_.hop(net_rng_) + transfer;
    clients_.guard(attempt, at);
    ctx_.sim.schedule(at, client_response, attempt, ok ? 1 : 0);
}

// A crash: in-flight and queued requests fail, the sessions whose state lived here are lost.
// The node stays in the target group (and billed) until its health checks fail.
void ServerFleet::kill(int index) {
    Node &n = nodes_[index];
    if (!n.running()) return;
    n.state = NodeState::failed;
    ctx_.sink.work_changed(ctx_.now(), -(n.busy + static_cast<int>(n.queue.size())), -n.busy);
    std::vector<std::uint32_t> doomed = attempts_.in_service_at(nodes_.ref(index));
    doomed.insert(doomed.end(), n.queue.begin(), n.queue.end());
    for (std::uint32_t a : doomed)
        attempts_[a].in_service = false;
    state_->node_lost(index, LossCause::node_failure);
    ++n.generation; // its pending completions and every reference to it no longer match
    n.reset_work();
    for (std::uint32_t a : doomed)
        respond(a, false);
    report_fleet();
}

std::vector<int> ServerFleet::running_nodes() const {
    std::vector<int> out;
    for (std::size_t i = 0; i < nodes_.slots(); ++i)
        if (nodes_[static_cast<int>(i)].running()) out.push_back(static_cast<int>(i));
    return out;
}

void ServerFleet::on_probe(int node, std::uint32_t generation) {
    const NodeRef ref{node, generation};
    const bool answers = nodes_[node].generation == generation && nodes_[node].running();
    switch (health_.probe(ref, answers)) {
    case HealthChecker::Verdict::none:
        return;
    case HealthChecker::Verdict::became_healthy:
        lb_.set_state(ref, LoadBalancer::Target::healthy);
        break;
    case HealthChecker::Verdict::became_unhealthy: {
        // Detected: the group deregisters and terminates the node and launches a replacement.
        lb_.set_state(ref, LoadBalancer::Target::unused);
        health_.forget(ref);
        const int zone = nodes_[node].zone;
        nodes_.terminate(node);
        if (ctx_.arch.failures.replace_failed) launch(zone);
        break;
    }
    }
    report_fleet();
}

void ServerFleet::launch(int zone) {
    const int slot = nodes_.launch(zone);
    ctx_.sim.schedule(ctx_.now() + ctx_.arch.cluster.boot_time.sample_time(boot_rng_), node_booted,
                      static_cast<std::uint32_t>(slot), nodes_[slot].generation);
}

// A booted node joins the target group and gets traffic once it passes its health checks.
void ServerFleet::on_booted(int node, std::uint32_t generation) {
    Node &n = nodes_[node];
    if (n.generation != generation || n.state != NodeState::booting) return;
    n.state = NodeState::running;
    lb_.set_state(nodes_.ref(node), LoadBalancer::Target::initial);
    health_.watch(nodes_.ref(node), false);
    report_fleet();
}

// Serving capacity counts routable running nodes only, a warming one by its share.
void ServerFleet::report_fleet() {
    MetricsSink::Fleet f;
    const double per_node = ctx_.arch.cluster.workers;
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const Node &n = nodes_[static_cast<int>(i)];
        if (n.state == NodeState::free) continue;
        ++f.billed;
        f.running += n.running();
        f.booting += n.state == NodeState::booting;
        if (n.running() && lb_.routable(static_cast<int>(i))) {
            const double c = capacity(n);
            f.serving_workers += c;
            f.serving_nodes += c / per_node;
        }
    }
    ctx_.sink.fleet_changed(ctx_.now(), f);
}

} // namespace statesim
