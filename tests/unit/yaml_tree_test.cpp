// The loader's compact YAML tree (sim/config/yaml_tree.hpp) against yaml-cpp's own tree: the
// same text must give the same nodes (kinds, scalars, marks, styles, key order), and the
// handle operations the loader uses must mean what they mean in yaml-cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "../../sim/config/yaml_tree.hpp"

using statesim::config_detail::Node;
using statesim::config_detail::Tree;

namespace {

// Walks both trees side by side; a difference fails the test with the path where it is.
void same_tree(const YAML::Node &ref, const Node &n, const std::string &path) {
    INFO("at ", path);
    REQUIRE(n.IsDefined() == ref.IsDefined());
    if (!ref.IsDefined()) return;
    REQUIRE(n.IsNull() == ref.IsNull());
    REQUIRE(n.IsScalar() == ref.IsScalar());
    REQUIRE(n.IsSequence() == ref.IsSequence());
    REQUIRE(n.IsMap() == ref.IsMap());
    CHECK(n.Mark().line == ref.Mark().line);
    CHECK(n.Mark().column == ref.Mark().column);
    CHECK(n.Mark().pos == ref.Mark().pos);
    if (ref.IsScalar()) CHECK(n.Scalar() == ref.Scalar());
    if (ref.IsSequence() || ref.IsMap()) CHECK(n.Style() == ref.Style());
    REQUIRE(n.size() == ref.size());
    if (ref.IsSequence())
        for (std::size_t i = 0; i < ref.size(); ++i)
            same_tree(ref[i], n[i], path + "[" + std::to_string(i) + "]");
    if (ref.IsMap()) {
        auto it = n.begin();
        for (auto r = ref.begin(); r != ref.end(); ++r, ++it) {
            same_tree(r->first, it->first, path + " key");
            same_tree(r->second, it->second, path + "." + r->first.Scalar());
        }
    }
}

} // namespace

TEST_CASE("yaml tree: the same nodes as yaml-cpp for the same text") {
    const std::vector<std::string> texts = {
        "workload:\n  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 2}\n"
        "cluster: {nodes: 4, workers: 10000}\n",
        "failures:\n  events:\n    - {at: 60s, kill: node, count: 1}\n    - at: 120s\n"
        "      kill: zone\n",
        "a: ~\nb:\nc: null\nd: 'null'\ne: \"quoted\"\nf: [1, [2, 3], {x: y}]\n",
        "base: &b {mean: 5s, dist: exponential}\nuse: *b\nlist: &l [1, 2]\nagain: *l\n",
        "multi: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
        "dup: 1\ndup: 2\n", // yaml-cpp keeps both; the loader reports the second
        "? [complex, key]\n: value\n",
        "plain",
        "[1, 2, 3]",
    };
    for (const auto &text : texts) {
        INFO(text);
        Tree tree;
        same_tree(YAML::Load(text), tree.parse(text), "");
    }
}

TEST_CASE("yaml tree: documents are counted up to two, errors are yaml-cpp's") {
    Tree tree;
    int documents = 0;
    YAML::Mark second;
    tree.parse("a: 1\n", &documents, &second);
    CHECK(documents == 1);
    tree.parse("a: 1\n---\nb: 2\n", &documents, &second);
    CHECK(documents == 2);
    CHECK(second.line == 1);
    // Empty documents forever (jbeder/yaml-cpp#1040): counting stops at two.
    tree.parse(",\n,\n,\n", &documents, &second);
    CHECK(documents <= 2);
    CHECK_THROWS_AS(tree.parse("a: [1, 2\n"), YAML::Exception);
    CHECK_THROWS_AS(tree.parse("a: *nowhere\n"), YAML::Exception);
    // No document reads as null, like yaml-cpp's Node().
    const Node none = tree.parse("# only a comment\n", &documents);
    CHECK(documents == 0);
    CHECK(none.IsDefined());
    CHECK(none.IsNull());
}

TEST_CASE("yaml tree: handles share nodes as yaml-cpp's do") {
    Tree tree;
    Node root = tree.parse("a: {x: 1}\nb: {y: 2}\n");

    SUBCASE("a handle copy is the same node") {
        Node a = root["a"];
        a["z"] = tree.scalar("3");
        CHECK(root["a"]["z"].Scalar() == "3");
    }
    SUBCASE("assignment shares the data from then on; reset only moves the handle") {
        Node a = root["a"];
        a = root["b"]; // root.a now reads as b
        CHECK(root["a"]["y"].Scalar() == "2");
        root["b"]["w"] = tree.scalar("4"); // ... and sees b's later keys
        CHECK(root["a"]["w"].Scalar() == "4");
        Node cursor = root["a"];
        cursor.reset(tree.map()); // moves the handle: the tree is unchanged
        CHECK(root["a"]["y"].Scalar() == "2");
    }
    SUBCASE("a missing key read for writing is pending until assigned") {
        const std::size_t before = root.size();
        Node pending = root["c"];
        CHECK_FALSE(pending.IsDefined());
        CHECK(root.size() == before); // not listed, not counted
        for (auto it = root.begin(); it != root.end(); ++it)
            CHECK(it->first.Scalar() != "c");
        pending = tree.scalar("5");
        CHECK(root.size() == before + 1);
        CHECK(root["c"].Scalar() == "5");
    }
    SUBCASE("a const lookup that misses adds nothing and has no position") {
        const Node &view = root;
        const Node missing = view["nope"];
        CHECK_FALSE(missing.IsDefined());
        CHECK_FALSE(missing.IsNull());
        CHECK(missing.Mark().is_null());
        CHECK_FALSE(view["a"]["x"]["deeper"].IsDefined());
        CHECK_FALSE(view[std::size_t{3}].IsDefined());
        CHECK(root.size() == 2);
    }
    SUBCASE("remove drops the first entry with the key") {
        CHECK(root.remove("a"));
        CHECK_FALSE(root.remove("a"));
        CHECK(root.size() == 1);
        CHECK(root.begin()->first.Scalar() == "b");
    }
    SUBCASE("a null value written over becomes that value in place") {
        Node r = tree.parse("k: ~\nl: 1\n");
        r["k"] = tree.map();
        r["k"]["inner"] = tree.scalar("v");
        auto it = r.begin();
        CHECK(it->first.Scalar() == "k"); // the key keeps its place
        CHECK(it->second.IsMap());
    }
}

TEST_CASE("yaml tree: an alias is the anchored node, and a clone shares nothing") {
    Tree tree;
    Node root = tree.parse("a: &x {m: 1}\nb: *x\n");
    root["a"]["filled"] = tree.scalar("default");
    CHECK(root["b"]["filled"].Scalar() == "default"); // as in yaml-cpp: one node, two places

    Node copy = tree.clone(root["a"]);
    copy["m"] = tree.scalar("2");
    CHECK(root["a"]["m"].Scalar() == "1");
    CHECK(copy["filled"].Scalar() == "default");

    // A node that holds itself (an anchor used inside its own collection) clones without
    // looping, and stays one node in the copy.
    Node cyclic = tree.parse("&s [1, *s]");
    Node again = tree.clone(cyclic);
    REQUIRE(again.size() == 2);
    CHECK(again[std::size_t{1}].is(again));
}
