#include "statesim/model/autoscaler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace statesim {

namespace {

// ceil(x) for x >= 0, saturating at INT_MAX. A relative 1e-12 keeps roundoff on an exact ratio
// (current x metric / target = 4 up to the last bit) from adding a node, as in
// analytic::target_tracking_nodes.
int ceil_count(double x) {
    const double c = std::ceil(std::max(0.0, x) * (1 - 1e-12));
    return c >= static_cast<double>(std::numeric_limits<int>::max())
               ? std::numeric_limits<int>::max()
               : static_cast<int>(c);
}

// The capacity a scale-out starts from: the ready nodes, at most the desired count (a node the
// group no longer counts may still serve while it drains).
int settled(const Autoscaler::Observation &o) {
    return std::min(o.current, o.ready);
}

} // namespace

Autoscaler::Autoscaler(const AutoscalingSpec &spec)
    : spec_(spec), last_out_(-std::numeric_limits<double>::infinity()),
      last_in_(-std::numeric_limits<double>::infinity()) {}

double Autoscaler::period() const {
    switch (spec_.policy) {
    case AutoscalingSpec::Policy::target_tracking:
    case AutoscalingSpec::Policy::step:
        return spec_.evaluation_period;
    case AutoscalingSpec::Policy::hpa:
        return spec_.hpa_period;
    case AutoscalingSpec::Policy::scheduled:
        return 0;
    }
    return 0;
}

int Autoscaler::clamp(int n) const {
    return std::clamp(n, spec_.min, std::max(spec_.min, spec_.max));
}

int Autoscaler::scheduled(std::size_t i) const {
    return clamp(spec_.schedule.at(i).desired);
}

double Autoscaler::scheduled_wait(std::size_t i, double now_s, int current) {
    const int desired = scheduled(i);
    if (desired == current) return 0;
    const bool out = desired > current;
    double &last = out ? last_out_ : last_in_;
    const double ready_at = last + (out ? spec_.cooldown_out : spec_.cooldown_in);
    // A microsecond's slack: the fleet comes back at from_seconds(ready_at), which may round
    // below ready_at; without it the action would wait for the same instant again and again.
    if (now_s < ready_at - 1e-6) return ready_at;
    last = now_s;
    return 0;
}

int Autoscaler::evaluate(const Observation &o) {
    // SPEC §5: the desired count is always clamped to [min, max]; a NaN metric is no datapoint.
    if (std::isnan(o.metric)) return clamp(o.current);
    switch (spec_.policy) {
    case AutoscalingSpec::Policy::target_tracking:
        return clamp(target_tracking(o));
    case AutoscalingSpec::Policy::step:
        return clamp(step(o));
    case AutoscalingSpec::Policy::hpa:
        return clamp(hpa(o));
    case AutoscalingSpec::Policy::scheduled:
        break; // the fleet applies scheduled(i) at schedule[i].at
    }
    return clamp(o.current);
}

// Target tracking (SPEC §5, after AWS EC2 / Application Auto Scaling target tracking): one
// datapoint per evaluation, counted by two alarms. Scale out after `out_datapoints` consecutive
// datapoints above target to ceil(ready x metric / target), never below current (AWS rounds
// scale-out up and counts the group's capacity without the instances still warming up). Scale
// in after `in_datapoints` consecutive datapoints below in_threshold x target by the
// proportional amount rounded down: floor(current - current x metric / target) nodes removed,
// i.e. to ceil(current x metric / target) (so the fixed point analytic::target_tracking_nodes
// is stable), never while a node warms up (AWS does not scale in during instance warmup). An
// action leaves the counts as they are: an alarm that stays in ALARM invokes its Auto Scaling
// action again every period ("for Auto Scaling actions, the alarm continues to invoke the action
// once per minute that the alarm remains in the new state", https://docs.aws.amazon.com/
// AmazonCloudWatch/latest/monitoring/alarm-actions.html); the scale-out counts the ready nodes
// only, so nodes still booting or warming are not added twice.
int Autoscaler::target_tracking(const Observation &o) {
    const bool above = o.metric > spec_.target;
    const bool below = o.metric < spec_.in_threshold * spec_.target;
    above_ = above ? above_ + 1 : 0;
    below_ = below ? below_ + 1 : 0;
    const int current = clamp(o.current);
    const double load = o.metric / spec_.target;
    int desired = current;
    if (above_ >= spec_.out_datapoints)
        desired = std::max(current, clamp(ceil_count(settled(o) * load)));
    else if (below_ >= spec_.in_datapoints && !o.warming())
        desired = std::min(current, clamp(ceil_count(o.current * load)));
    return desired;
}

// Step scaling (SPEC §5, after EC2 step scaling, simple reading): the matching step with the
// most extreme threshold applies (the largest `above` the metric exceeds, else the smallest
// `below` it is under): desired = ready + add on a scale-out (never below current), current +
// add on a scale-in. A direction then waits its cooldown
// (cooldown.out after a scale-out, cooldown.in after a scale-in) before acting again.
int Autoscaler::step(const Observation &o) {
    const AutoscalingSpec::Step *out = nullptr, *in = nullptr;
    for (const auto &s : spec_.steps) {
        if (s.above && o.metric > s.threshold &&
            (!out || s.threshold > out->threshold ||
             (s.threshold == out->threshold && s.add > out->add)))
            out = &s;
        if (!s.above && o.metric < s.threshold &&
            (!in || s.threshold < in->threshold ||
             (s.threshold == in->threshold && s.add > in->add)))
            in = &s;
    }
    const int current = clamp(o.current);
    if (out) {
        if (o.now_s - last_out_ < spec_.cooldown_out) return current;
        // The adjustment applies to the ready capacity: a breach in the same step while the
        // last step's nodes warm up adds nothing more, a higher step only the difference (AWS
        // step scaling, https://docs.aws.amazon.com/autoscaling/ec2/userguide/
        // as-scaling-simple-step.html: "current capacity" excludes instances warming up).
        const int desired = std::max(current, clamp(settled(o) + out->add));
        if (desired != o.current) last_out_ = o.now_s;
        return desired;
    }
    if (in) {
        if (o.now_s - last_in_ < spec_.cooldown_in) return current;
        const int desired = clamp(current + in->add);
        if (desired != o.current) last_in_ = o.now_s;
        return desired;
    }
    return current;
}

// Kubernetes' scale-up limit for an HPA without `behavior` (statesim has none): each
// evaluation goes to at most max(2 x current, 4) replicas (the controller's legacy
// normalizeDesiredReplicas, scaleUpLimitFactor 2 and scaleUpLimitMinimum 4; the "100 % or 4
// pods per 15 s" policies of the docs' default behavior apply only once a `behavior` is set).
int Autoscaler::limit_scale_up(const Observation &o, int recommendation) {
    return std::min(recommendation, std::max(2 * o.current, 4));
}

// HPA (SPEC §5, after the Kubernetes Horizontal Pod Autoscaler's documented algorithm,
// https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details):
// every period, ratio = metric / target over the ready pods; within 1 ± tolerance the
// recommendation is `current`, else ceil(ready x ratio). When it would scale up while some pods
// are not ready yet, those count as using 0 %: the ratio is taken again over all of them, and
// if that one is within tolerance or points down, the recommendation stays `current` (without
// this, pods still booting make every period scale up again, up to max).
// The controller without `behavior` (pkg/controller/podautoscaler/horizontal.go,
// normalizeDesiredReplicas) then goes to the highest recommendation of the last `stabilization`
// seconds, this one included, whichever way it points, and caps a scale-up
// (limit_scale_up): a capped recommendation still counts at the next periods. The window
// keeps the entries not before now - stabilization (rec.timestamp.Before(cutoff) drops one;
// a microsecond's slack, as times are ns x 1e-9 in doubles)
// and starts with the count at the first evaluation (recordInitialRecommendation).
int Autoscaler::hpa(const Observation &o) {
    const double ratio = o.metric / spec_.target;
    int recommendation = o.current;
    if (o.unready > 0 && ratio > 1) {
        const int pods = o.ready + o.unready;
        const double diluted = ratio * o.ready / pods;
        if (diluted > 1 + spec_.hpa_tolerance)
            recommendation = std::max(o.current, ceil_count(pods * diluted));
    } else if (std::abs(ratio - 1) > spec_.hpa_tolerance) {
        recommendation = ceil_count(o.ready * ratio);
    }
    // Empty only at the first evaluation: every evaluation leaves its recommendation.
    if (recommendations_.empty()) recommendations_.emplace_back(o.now_s, o.current);
    while (!recommendations_.empty() &&
           recommendations_.front().first < o.now_s - spec_.hpa_stabilization - 1e-6)
        recommendations_.pop_front();
    int highest = recommendation;
    for (const auto &r : recommendations_)
        highest = std::max(highest, r.second);
    recommendations_.emplace_back(o.now_s, recommendation);
    return limit_scale_up(o, highest);
}

} // namespace statesim
