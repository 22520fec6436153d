// Conformance of the array-based tree math against tests/vectors/mls/tree-math.json (see its
// README): for every n_leaves, n_nodes and root, and for every node its left, right, parent
// and sibling (null where the RFC's function raises).
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "candor/base/file.h"
#include "candor/mls/tree_math.h"

namespace candor::mls {
namespace {

using nlohmann::json;

const std::string kFile = std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/mls/tree-math.json";

// Same reports whether `got` matches the JSON value `want` (a node index or null).
bool Same(const std::optional<NodeIndex>& got, const json& want) {
  if (want.is_null()) return !got.has_value();
  return got.has_value() && want.is_number_unsigned() && got->value == want.get<uint32_t>();
}

TEST(TreeMathVectorsTest, EveryTreeEveryNode) {
  auto data = ReadFile(kFile);
  ASSERT_TRUE(data.ok()) << kFile;
  const json vectors = json::parse(AsStringView(*data), nullptr, false);
  ASSERT_FALSE(vectors.is_discarded());
  ASSERT_TRUE(vectors.is_array());

  size_t num_trees = 0, num_trees_passed = 0, num_nodes = 0, num_nodes_passed = 0;
  for (const json& v : vectors) {
    ++num_trees;
    const auto n = v.at("n_leaves").get<uint32_t>();
    bool tree_ok = true;
    const std::optional<uint32_t> width = NodeWidth(n);
    EXPECT_TRUE(width.has_value() && *width == v.at("n_nodes").get<uint32_t>()) << n;
    tree_ok = tree_ok && width.has_value() && *width == v.at("n_nodes").get<uint32_t>();
    EXPECT_TRUE(Same(Root(n), v.at("root"))) << n;
    tree_ok = tree_ok && Same(Root(n), v.at("root"));

    const json& left = v.at("left");
    const json& right = v.at("right");
    const json& parent = v.at("parent");
    const json& sibling = v.at("sibling");
    ASSERT_EQ(left.size(), v.at("n_nodes").get<size_t>());
    ASSERT_EQ(right.size(), left.size());
    ASSERT_EQ(parent.size(), left.size());
    ASSERT_EQ(sibling.size(), left.size());
    for (size_t i = 0; i < left.size(); ++i) {
      ++num_nodes;
      const NodeIndex x{static_cast<uint32_t>(i)};
      const bool ok = Same(Left(x), left[i]) && Same(Right(x), right[i]) &&
                      Same(Parent(x, n), parent[i]) && Same(Sibling(x, n), sibling[i]);
      EXPECT_TRUE(ok) << "n_leaves " << n << " node " << i;
      if (ok) ++num_nodes_passed;
      tree_ok = tree_ok && ok;
    }
    if (tree_ok) ++num_trees_passed;
  }
  std::printf("tree-math.json: trees %zu run / %zu passed, nodes %zu run / %zu passed\n", num_trees,
              num_trees_passed, num_nodes, num_nodes_passed);
  ASSERT_GT(num_trees, 0u);
  ASSERT_GT(num_nodes, 0u);
  EXPECT_EQ(num_trees, num_trees_passed);
  EXPECT_EQ(num_nodes, num_nodes_passed);
}

}  // namespace
}  // namespace candor::mls
