// model/name_index.h: FindNode and FindInterface through the index behave as
// the scans they replaced, in the ways the model changes (appending, copying,
// moving), and from several threads at once.
#include "model/name_index.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "model/topology.h"

namespace topo {
namespace {

struct Named {
  std::string name;
  int value = 0;
};

std::vector<Named> Many(int n) {
  std::vector<Named> v;
  for (int i = 0; i < n; ++i) v.push_back({"e" + std::to_string(i), i});
  return v;
}

TEST(NameIndexTest, FindsEveryElementOfShortAndLongVectors) {
  for (int n : {0, 1, 8, 9, 1000}) {
    std::vector<Named> v = Many(n);
    NameIndex index;
    for (int i = 0; i < n; ++i) {
      const Named* e = index.Find(v, "e" + std::to_string(i));
      ASSERT_NE(e, nullptr) << n << " " << i;
      EXPECT_EQ(e, &v[static_cast<size_t>(i)]);
    }
    EXPECT_EQ(index.Find(v, "missing"), nullptr);
  }
}

TEST(NameIndexTest, IndexesWhatIsAppendedAfterALookup) {
  std::vector<Named> v = Many(20);
  NameIndex index;
  EXPECT_EQ(index.Find(v, "late"), nullptr);
  v.push_back({"late", 99});  // the vector may move: the index holds positions
  const Named* e = index.Find(v, "late");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value, 99);
  EXPECT_EQ(index.Find(v, "e3"), &v[3]);
}

TEST(NameIndexTest, FirstOfARepeatedNameWinsAsAScanWould) {
  std::vector<Named> v = Many(20);
  v.push_back({"e5", 500});
  NameIndex index;
  EXPECT_EQ(index.Find(v, "e5")->value, 5);
}

TEST(NameIndexTest, AShorterVectorIsIndexedAgain) {
  std::vector<Named> v = Many(30);
  NameIndex index;
  EXPECT_NE(index.Find(v, "e25"), nullptr);
  v.resize(12);
  v.push_back({"new", 1});
  EXPECT_EQ(index.Find(v, "e25"), nullptr);
  EXPECT_EQ(index.Find(v, "new"), &v.back());
}

TEST(NameIndexTest, NeverReturnsAnElementOfAnotherName) {
  std::vector<Named> v = Many(30);
  NameIndex index;
  EXPECT_NE(index.Find(v, "e7"), nullptr);
  std::swap(v[7], v[8]);  // against the contract: the hit is confirmed, the index rebuilt
  EXPECT_EQ(index.Find(v, "e7"), &v[8]);
  EXPECT_EQ(index.Find(v, "e8"), &v[7]);
}

TEST(NameIndexTest, TopologyCopiesAndMovesFindTheirOwnElements) {
  Topology t;
  for (int i = 0; i < 50; ++i) {
    Node n;
    n.name = "n" + std::to_string(i);
    for (int k = 0; k < 20; ++k)
      n.interfaces.push_back(Interface{.name = "eth" + std::to_string(k)});
    t.nodes.push_back(n);
  }
  ASSERT_NE(t.FindNode("n42"), nullptr);
  ASSERT_NE(t.FindNode("n42")->FindInterface("eth19"), nullptr);
  Topology copy = t;
  EXPECT_EQ(copy.FindNode("n42"), &copy.nodes[42]);
  EXPECT_EQ(copy.FindNode("n42")->FindInterface("eth19"), &copy.nodes[42].interfaces[19]);
  Topology moved = std::move(copy);
  EXPECT_EQ(moved.FindNode("n7"), &moved.nodes[7]);
  t = moved;
  EXPECT_EQ(t.FindNode("n49"), &t.nodes[49]);
}

TEST(NameIndexTest, LookupsFromSeveralThreadsAgree) {
  std::vector<Named> v = Many(2000);
  NameIndex index;
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const Named* e = index.Find(v, "e" + std::to_string((i * 7 + t) % 2000));
        if (!e || e->value != (i * 7 + t) % 2000) ++wrong[static_cast<size_t>(t)];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace topo
