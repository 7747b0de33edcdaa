#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "statesim/model/autoscaler.hpp"
#include "statesim/stats/analytic.hpp"

using namespace statesim;

namespace {

using Policy = AutoscalingSpec::Policy;
constexpr double no_metric = std::numeric_limits<double>::quiet_NaN();

AutoscalingSpec spec_for(Policy policy) {
    AutoscalingSpec s;
    s.enabled = true;
    s.policy = policy;
    s.target = 0.6;
    s.min = 2;
    s.max = 40;
    return s;
}

// Feeds `metrics` one evaluation period apart starting at `t0`, carrying the returned capacity
// into the next observation; returns the capacity after each.
std::vector<int> run(Autoscaler &a, int &current, const std::vector<double> &metrics, double t0 = 0,
                     bool warming = false) {
    std::vector<int> out;
    double t = t0;
    for (double m : metrics) {
        current = a.evaluate({t, m, current, current, warming ? 1 : 0});
        out.push_back(current);
        t += a.period();
    }
    return out;
}

} // namespace

TEST_CASE("autoscaler: period per policy") {
    CHECK(Autoscaler(spec_for(Policy::target_tracking)).period() == 60);
    CHECK(Autoscaler(spec_for(Policy::step)).period() == 60);
    CHECK(Autoscaler(spec_for(Policy::hpa)).period() == 15);
    CHECK(Autoscaler(spec_for(Policy::scheduled)).period() == 0);
}

TEST_CASE("target tracking: scale out on the out_datapoints-th datapoint above target") {
    Autoscaler a(spec_for(Policy::target_tracking)); // 60%, 3 out datapoints
    int n = 4;
    // ceil(4 x 0.9 / 0.6) = 6 on the third datapoint, not before.
    CHECK(run(a, n, {0.9, 0.9, 0.9}) == std::vector<int>{4, 4, 6});
}

TEST_CASE("target tracking: a datapoint not above target breaks the run") {
    Autoscaler a(spec_for(Policy::target_tracking));
    int n = 4;
    CHECK(run(a, n, {0.9, 0.9, 0.3}) == std::vector<int>{4, 4, 4});
    // A datapoint inside [in_threshold x target, target] breaks it too.
    CHECK(run(a, n, {0.9, 0.9, 0.57, 0.9, 0.9}) == std::vector<int>{4, 4, 4, 4, 4});
    CHECK(run(a, n, {0.9}) == std::vector<int>{6}); // the third fresh datapoint
}

TEST_CASE("target tracking: an alarm still in ALARM acts again at the next datapoint") {
    // CloudWatch invokes an Auto Scaling action every period while the alarm stays in ALARM:
    // no three fresh datapoints after an action.
    Autoscaler a(spec_for(Policy::target_tracking)); // 60 %, 3 out datapoints
    CHECK(a.evaluate({0, 0.9, 4, 4, 0}) == 4);
    CHECK(a.evaluate({60, 0.9, 4, 4, 0}) == 4);
    CHECK(a.evaluate({120, 0.9, 4, 4, 0}) == 6); // ceil(4 x 1.5)
    // Still above while the 2 new nodes boot: the ready 4 give 6 again, nothing added twice.
    CHECK(a.evaluate({180, 0.9, 6, 4, 2}) == 6);
    // All 6 ready and still above: ceil(6 x 0.8 / 0.6) = 8 at once (before: three datapoints
    // later).
    CHECK(a.evaluate({240, 0.8, 6, 6, 0}) == 8);
    // A datapoint at target ends the run: the next above one is the first of three.
    CHECK(a.evaluate({300, 0.6, 8, 8, 0}) == 8);
    CHECK(a.evaluate({360, 0.9, 8, 8, 0}) == 8);
}

TEST_CASE("target tracking: scale in by the proportional amount rounded down") {
    auto s = spec_for(Policy::target_tracking);
    s.in_datapoints = 3; // below 0.9 x 60% = 54%
    Autoscaler a(s);
    int n = 10;
    // 10 x 0.3 / 0.6 = 5 exactly: floor(10 - 5) = 5 removed.
    CHECK(run(a, n, {0.3, 0.3, 0.3}) == std::vector<int>{10, 10, 5});
    // A datapoint at target ends the run; 5 x 0.25 / 0.6 = 2.083: floor(5 - 2.083) = 2 removed,
    // leaving 3 (not floor(2.083) = 2).
    CHECK(run(a, n, {0.6, 0.25, 0.25, 0.25}) == std::vector<int>{5, 5, 5, 3});
    // 3 x 0.5 / 0.6 = 2.5 -> 3 - floor(0.5) = 3: below 54% but nothing to remove; the run goes
    // on, so the next datapoint at 0.2 (3 x 0.2 / 0.6 = 1 -> min 2) acts at once.
    CHECK(run(a, n, {0.6, 0.5, 0.5, 0.5}) == std::vector<int>{3, 3, 3, 3});
    CHECK(run(a, n, {0.2}) == std::vector<int>{2});
}

TEST_CASE("target tracking: a scale-in alarm still in ALARM acts again at the next datapoint") {
    auto s = spec_for(Policy::target_tracking);
    s.in_datapoints = 3;
    Autoscaler a(s);
    int n = 10;
    // 10 -> 5, and the 5 still below 54 % at the next datapoint: ceil(5 x 0.3 / 0.6) = 3.
    CHECK(run(a, n, {0.3, 0.3, 0.3, 0.3}) == std::vector<int>{10, 10, 5, 3});
}

TEST_CASE("target tracking: no scale-in while a node is warming") {
    auto s = spec_for(Policy::target_tracking);
    s.in_datapoints = 3;
    Autoscaler a(s);
    int n = 10;
    CHECK(run(a, n, {0.3, 0.3, 0.3, 0.3}, 0, true) == std::vector<int>{10, 10, 10, 10});
    // The datapoints still counted: the first evaluation after the warm-up scales in.
    CHECK(run(a, n, {0.3}, 240, false) == std::vector<int>{5});
    // Warming does not hold a scale-out.
    CHECK(run(a, n, {0.9, 0.9, 0.9}, 300, true) == std::vector<int>{5, 5, 8});
}

TEST_CASE("target tracking: clamped to [min, max]") {
    auto s = spec_for(Policy::target_tracking);
    s.in_datapoints = 1;
    s.out_datapoints = 1;
    Autoscaler a(s);
    int n = 30;
    CHECK(run(a, n, {1.0}) == std::vector<int>{40}); // ceil(30 / 0.6) = 50 -> max
    CHECK(run(a, n, {1.0}) == std::vector<int>{40}); // at max: stays
    CHECK(run(a, n, {0.0}) == std::vector<int>{2});  // 0 -> min
    CHECK(run(a, n, {0.0}) == std::vector<int>{2});
}

TEST_CASE("target tracking: a NaN metric is no datapoint") {
    Autoscaler a(spec_for(Policy::target_tracking));
    int n = 4;
    // Neither counted nor breaking the run: the third datapoint above target still acts.
    CHECK(run(a, n, {0.9, no_metric, 0.9, no_metric, 0.9}) == std::vector<int>{4, 4, 4, 4, 6});
    // Below min it is raised to min.
    n = 1;
    CHECK(run(a, n, {no_metric}) == std::vector<int>{2});
}

TEST_CASE("target tracking settles at analytic::target_tracking_nodes") {
    const double es = 0.025, target = 0.6;
    const int workers = 4;
    auto s = spec_for(Policy::target_tracking);
    s.min = 1;
    s.max = 4096;
    for (double lambda = 1; lambda < 50000; lambda *= 1.37) {
        for (int start : {1, 4096}) {
            CAPTURE(lambda);
            CAPTURE(start);
            Autoscaler a(s);
            int n = start, last_change = 0;
            for (int k = 1; k <= 400; ++k) {
                // cpu of n nodes: the offered load's share, at most 1 (saturated).
                const double cpu = std::min(1.0, lambda * es / (workers * n));
                const int next = a.evaluate({60.0 * k, cpu, n, n, 0});
                if (next != n) last_change = k;
                n = next;
            }
            CHECK(last_change < 200); // then 200 evaluations without a change
            CHECK(n == analytic::target_tracking_nodes(lambda, es, workers, target, s.min, s.max));
        }
    }
}

TEST_CASE("step: the most extreme matching step, then its direction's cooldown") {
    auto s = spec_for(Policy::step);
    s.steps = {{true, 0.8, 2}, {true, 0.95, 4}, {false, 0.3, -1}};
    s.cooldown_out = 60;
    s.cooldown_in = 300;
    Autoscaler a(s);
    auto at = [&](double t, double m, int current) {
        return a.evaluate({t, m, current, current, 0});
    };
    CHECK(at(0, 0.85, 4) == 6);          // above 80%: +2
    CHECK(at(30, 0.99, 6) == 6);         // out cooldown (30 < 60)
    CHECK(at(60, 0.99, 6) == 10);        // above 95% beats above 80%: +4
    CHECK(at(120, 0.5, 10) == 10);       // no step matches
    CHECK(at(180, 0.2, 10) == 9);        // below 30%: -1
    CHECK(at(240, 0.2, 9) == 9);         // in cooldown (60 < 300)
    CHECK(at(250, 0.9, 9) == 11);        // a scale-in does not hold a scale-out
    CHECK(at(480, 0.2, 11) == 10);       // 300 s after the last scale-in
    CHECK(at(540, no_metric, 10) == 10); // no datapoint
}

TEST_CASE("step: a breach while new nodes warm up adds only what a higher step adds beyond them") {
    auto s = spec_for(Policy::step);
    s.steps = {{true, 0.8, 2}, {true, 0.95, 4}, {false, 0.3, -1}};
    s.cooldown_out = 0; // the default: only the warm-up keeps the policy from adding again
    Autoscaler a(s);
    // 4 ready nodes above 80%: +2 -> 6.
    CHECK(a.evaluate({0, 0.85, 4, 4, 0}) == 6);
    // The 2 new ones still boot: the same step gives 4 + 2 = 6, nothing more (AWS: the
    // current capacity leaves warming instances out).
    CHECK(a.evaluate({60, 0.85, 6, 4, 2}) == 6);
    // A higher step: 4 + 4 = 8, i.e. 2 beyond the 2 on their way.
    CHECK(a.evaluate({120, 0.99, 6, 4, 2}) == 8);
    // Once they serve, a breach acts on the whole group again.
    CHECK(a.evaluate({180, 0.85, 8, 8, 0}) == 10);
}

TEST_CASE("target tracking: a scale-out starts from the ready nodes") {
    auto s = spec_for(Policy::target_tracking);
    s.out_datapoints = 1;
    Autoscaler a(s);
    // 2 ready nodes at 75% against 60%: ceil(2 x 1.25) = 3.
    CHECK(a.evaluate({0, 0.75, 2, 2, 0}) == 3);
    // The third still boots and the 2 stay at 75%: 3 is still the answer, not ceil(3 x 1.25).
    CHECK(a.evaluate({60, 0.75, 3, 2, 1}) == 3);
    CHECK(a.evaluate({120, 0.9, 3, 2, 1}) == 3); // ceil(2 x 1.5) = 3
    CHECK(a.evaluate({180, 1.0, 3, 2, 1}) == 4); // ceil(2 x 1.667) = 4
}

TEST_CASE("hpa: not-yet-ready pods count as 0% on a scale-up (Kubernetes)") {
    auto s = spec_for(Policy::hpa); // 60%, tolerance 0.1
    s.min = 1;
    Autoscaler a(s);
    // 2 ready at 75% and 1 booting: (75 + 75 + 0) / 3 = 50% -> the direction flips: stay at 3.
    CHECK(a.evaluate({0, 0.75, 3, 2, 1}) == 3);
    // 2 ready at 78% (ratio 1.3) and 1 booting: 52% -> ratio 0.87, no scale-up.
    CHECK(a.evaluate({15, 0.78, 3, 2, 1}) == 3);
    // 2 ready at 120% of request (ratio 2) and 1 booting: 80% -> ratio 1.33: ceil(3 x 1.33) = 4.
    CHECK(a.evaluate({30, 1.2, 3, 2, 1}) == 4);
    // With every pod ready the plain rule: ceil(ready x ratio) = ceil(4 x 1.25) = 5.
    CHECK(a.evaluate({45, 0.75, 4, 4, 0}) == 5);
}

TEST_CASE("step: clamping, and a clamped-away action starts no cooldown") {
    auto s = spec_for(Policy::step);
    s.steps = {{true, 0.8, 2}, {false, 0.3, -1}};
    s.cooldown_out = 600;
    s.cooldown_in = 600;
    Autoscaler a(s);
    CHECK(a.evaluate({0, 0.9, 39, 39, 0}) == 40);   // 41 -> max
    CHECK(a.evaluate({60, 0.1, 2, 2, 0}) == 2);     // 1 -> min: nothing happened
    CHECK(a.evaluate({120, 0.1, 3, 3, 0}) == 2);    // so no in cooldown runs
    CHECK(a.evaluate({180, 0.1, 40, 40, 0}) == 40); // now it does
}

TEST_CASE("step: tie-breaking") {
    auto s = spec_for(Policy::step);
    // Overlapping directions: metric 0.3 is above 0.2 and below 0.5; the scale-out wins.
    s.steps = {{false, 0.5, -1}, {true, 0.2, 1}};
    CHECK(Autoscaler(s).evaluate({0, 0.3, 5, 5, 0}) == 6);
    // Same threshold: the largest resulting capacity.
    s.steps = {{true, 0.8, 1}, {true, 0.8, 3}, {false, 0.3, -2}, {false, 0.3, -1}};
    CHECK(Autoscaler(s).evaluate({0, 0.9, 5, 5, 0}) == 8);
    CHECK(Autoscaler(s).evaluate({0, 0.1, 5, 5, 0}) == 4);
    // Below steps: the smallest threshold the metric is under.
    s.steps = {{false, 0.4, -1}, {false, 0.2, -3}};
    CHECK(Autoscaler(s).evaluate({0, 0.1, 10, 10, 0}) == 7);
    CHECK(Autoscaler(s).evaluate({0, 0.3, 10, 10, 0}) == 9);
}

TEST_CASE("hpa: tolerance band, immediate scale-up") {
    auto s = spec_for(Policy::hpa); // 60%, tolerance 0.1, period 15 s, stabilization 300 s
    s.min = 1;
    Autoscaler a(s);
    CHECK(a.evaluate({0, 0.63, 4, 4, 0}) == 4);  // ratio 1.05: within 1 +- 0.1
    CHECK(a.evaluate({15, 0.57, 4, 4, 0}) == 4); // ratio 0.95
    CHECK(a.evaluate({30, 0.9, 4, 4, 0}) == 6);  // ratio 1.5: ceil(6), at once
    CHECK(a.evaluate({45, no_metric, 6, 6, 0}) == 6);
    // ceil(60), limited as by Kubernetes for an HPA without `behavior` to max(2 x 6, 4) = 12
    // per evaluation, then 24, then max (40).
    CHECK(a.evaluate({60, 6.0, 6, 6, 0}) == 12);
    CHECK(a.evaluate({75, 6.0, 12, 12, 0}) == 24);
    CHECK(a.evaluate({90, 6.0, 24, 24, 0}) == 40);
}

TEST_CASE("hpa: a scale-up from few nodes goes to at least 4") {
    auto s = spec_for(Policy::hpa); // 60 %
    s.min = 1;
    Autoscaler a(s);
    CHECK(a.evaluate({0, 6.0, 1, 1, 0}) == 4); // max(2 x 1, 4)
    CHECK(a.evaluate({15, 6.0, 4, 4, 0}) == 8);
}

TEST_CASE("hpa: scale-down held by the stabilization window") {
    auto s = spec_for(Policy::hpa);
    s.min = 1;
    Autoscaler a(s);
    CHECK(a.evaluate({0, 1.2, 4, 4, 0}) == 8);    // ratio 2: recommendation 8
    CHECK(a.evaluate({100, 0.45, 8, 8, 0}) == 8); // recommendation 6, window max 8
    CHECK(a.evaluate({200, 0.3, 8, 8, 0}) == 8);  // recommendation 4, window max 8
    // The 8 of t = 0 is not before 300 - 300: still inside (k8s drops
    // rec.timestamp.Before(cutoff)).
    CHECK(a.evaluate({300, 0.3, 8, 8, 0}) == 8);
    CHECK(a.evaluate({301, 0.3, 8, 8, 0}) == 6); // it aged out: max(6, 4, 4, 4)
    CHECK(a.evaluate({401, 0.3, 6, 6, 0}) == 4); // recommendation 3; the 6 aged out: max(4, .., 3)
    CHECK(a.evaluate({701, 0.3, 4, 4, 0}) == 3); // recommendation 2, the 3 of t = 401 holds
    CHECK(a.evaluate({702, 0.3, 3, 3, 0}) == 2); // max(2, 2)
}

TEST_CASE("hpa: a capped scale-up goes on at the next period") {
    // Without `behavior` k8s takes the window's highest recommendation whichever way it points,
    // then caps the scale-up (normalizeDesiredReplicas): the capped 8 still counts.
    auto s = spec_for(Policy::hpa); // 60 %
    s.min = 1;
    Autoscaler a(s);
    CHECK(a.evaluate({0, 2.4, 2, 2, 0}) == 4);  // ratio 4: recommendation 8, capped to 4
    CHECK(a.evaluate({15, 0.6, 4, 4, 0}) == 8); // in tolerance (4), but the 8 of t = 0: 8
    CHECK(a.evaluate({30, 0.3, 8, 8, 0}) == 8); // recommendation 4, held by the 8
}

TEST_CASE("hpa: the window starts with the count at the first evaluation") {
    // recordInitialRecommendation: a fresh HPA does not scale down for `stabilization`.
    auto s = spec_for(Policy::hpa);
    s.min = 1;
    Autoscaler a(s);
    CHECK(a.evaluate({0, 0.3, 10, 10, 0}) == 10); // recommendation 5, held by the 10 of t = 0
    CHECK(a.evaluate({300, 0.3, 10, 10, 0}) == 10);
    CHECK(a.evaluate({315, 0.3, 10, 10, 0}) == 5);
}

TEST_CASE("hpa: in-tolerance recommendations count in the window") {
    auto s = spec_for(Policy::hpa);
    s.min = 1;
    Autoscaler a(s);
    CHECK(a.evaluate({0, 0.3, 10, 10, 0}) == 10);   // held by the count at the start
    CHECK(a.evaluate({301, 0.6, 10, 10, 0}) == 10); // in tolerance: recommendation 10
    CHECK(a.evaluate({316, 0.3, 10, 10, 0}) == 10); // recommendation 5, held by the 10
    CHECK(a.evaluate({601, 0.3, 10, 10, 0}) == 10); // t = 301 is not before 601 - 300
    CHECK(a.evaluate({602, 0.3, 10, 10, 0}) == 5);
}

TEST_CASE("scheduled: entries clamped, evaluate changes nothing") {
    auto s = spec_for(Policy::scheduled);
    s.schedule = {{1800, 8}, {7200, 2}, {9000, 50}, {9600, 1}};
    Autoscaler a(s);
    CHECK(a.scheduled(0) == 8);
    CHECK(a.scheduled(1) == 2);
    CHECK(a.scheduled(2) == 40);
    CHECK(a.scheduled(3) == 2);
    CHECK(a.evaluate({0, 0.99, 5, 5, 0}) == 5);
}
