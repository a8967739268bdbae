#include "plan/action.h"

#include <stdexcept>
#include <type_traits>

namespace topo {

namespace {

using action_payload::Bridge;
using action_payload::Master;
using action_payload::Peer;
using action_payload::Text;

// The position of `T` among the payload's alternatives.
template <typename T, typename... Ts>
constexpr size_t IndexIn(const std::variant<Ts...>* /*unused*/) {
  constexpr bool same[] = {std::is_same_v<T, Ts>...};
  for (size_t i = 0; i < sizeof...(Ts); ++i) {
    if (same[i]) return i;
  }
  return sizeof...(Ts);
}
template <typename Stored>
constexpr size_t IndexOf() {
  return IndexIn<Stored>(static_cast<const Action::Payload*>(nullptr));
}

// The payload alternative each kind holds (std::monostate: none).
size_t PayloadIndexOf(ActionKind k) {
  switch (k) {
    case ActionKind::kCreateNamespace:
    case ActionKind::kSetLinkUp:
      return IndexOf<std::monostate>();
    case ActionKind::kCreateVeth:
      return IndexOf<Boxed<Peer>>();
    case ActionKind::kSetMtu:
      return IndexOf<int>();
    case ActionKind::kSetMac:
      return IndexOf<MacAddress>();
    case ActionKind::kAddAddress:
      return IndexOf<Prefix>();
    case ActionKind::kSetSysctl:
    case ActionKind::kWriteEtcFile:
    case ActionKind::kMakeNodeDir:
    case ActionKind::kWriteNodeFile:
      return IndexOf<Boxed<Text>>();
    case ActionKind::kAddRoute:
      return IndexOf<Boxed<RouteSpec>>();
    case ActionKind::kAddSnat:
      return IndexOf<Boxed<std::vector<SnatSpec>>>();
    case ActionKind::kAddFirewall:
      return IndexOf<Boxed<FirewallSet>>();
    case ActionKind::kCreateBridge:
      return IndexOf<Bridge>();
    case ActionKind::kSetMaster:
      return IndexOf<Boxed<Master>>();
    case ActionKind::kSetImpairment:
      return IndexOf<Boxed<Impairment>>();
    case ActionKind::kCreateVlan:
      return IndexOf<Boxed<action_payload::Vlan>>();
    case ActionKind::kSetPortVlans:
      return IndexOf<Boxed<PortVlans>>();
    case ActionKind::kCreateInterface:
      return IndexOf<Boxed<VirtualSpec>>();
    case ActionKind::kStartProgram:
      return IndexOf<Boxed<ProgramSpec>>();
  }
  return IndexOf<std::monostate>();
}

// The defaults read from an action that does not carry a value.
const std::string& NoString() {
  static const std::string empty;
  return empty;
}
template <typename T>
const T& Default() {
  static const T value{};
  return value;
}

}  // namespace

template <typename Stored>
const Stored* Action::Find() const {
  return std::get_if<Stored>(&payload_);
}

template <typename Stored>
Stored& Action::Need(const char* what) {
  constexpr size_t want = IndexOf<Stored>();
  if (PayloadIndexOf(kind) != want) {
    throw std::logic_error(std::string("a ") + ActionKindName(kind) + " action has no " + what);
  }
  if (payload_.index() != want) payload_.emplace<Stored>();
  return std::get<Stored>(payload_);
}

// ---- kCreateVeth, kWriteEtcFile ----

const std::string& Action::peer_ns() const {
  if (const auto* p = Find<Boxed<Peer>>()) return p->get().ns;
  if (const auto* t = Find<Boxed<Text>>()) return t->get().link_ns;
  return NoString();
}
const std::string& Action::peer_node() const {
  const auto* p = Find<Boxed<Peer>>();
  return p ? p->get().node : NoString();
}
const std::string& Action::peer_ifname() const {
  const auto* p = Find<Boxed<Peer>>();
  return p ? p->get().ifname : NoString();
}
void Action::set_peer_ns(std::string peer_ns) {
  if (kind == ActionKind::kWriteEtcFile) {
    Need<Boxed<Text>>("peer namespace").get().link_ns = std::move(peer_ns);
  } else {
    Need<Boxed<Peer>>("peer").get().ns = std::move(peer_ns);
  }
}
void Action::set_peer_node(std::string peer_node) {
  Need<Boxed<Peer>>("peer").get().node = std::move(peer_node);
}
void Action::set_peer_ifname(std::string peer_ifname) {
  Need<Boxed<Peer>>("peer").get().ifname = std::move(peer_ifname);
}

// ---- small values ----

int Action::mtu() const {
  const int* m = Find<int>();
  return m ? *m : 0;
}
void Action::set_mtu(int mtu) { Need<int>("mtu") = mtu; }
MacAddress Action::mac() const {
  const MacAddress* m = Find<MacAddress>();
  return m ? *m : MacAddress{};
}
void Action::set_mac(const MacAddress& mac) { Need<MacAddress>("mac") = mac; }
const Prefix& Action::address() const {
  const Prefix* p = Find<Prefix>();
  return p ? *p : Default<Prefix>();
}
void Action::set_address(const Prefix& address) { Need<Prefix>("address") = address; }
bool Action::stp() const {
  const Bridge* b = Find<Bridge>();
  return b && b->stp;
}
bool Action::vlan_filtering() const {
  const Bridge* b = Find<Bridge>();
  return b && b->vlan_filtering;
}
void Action::set_bridge(bool stp, bool vlan_filtering) {
  Need<Bridge>("bridge options") = {stp, vlan_filtering};
}

// ---- kSetSysctl, kWriteEtcFile, kMakeNodeDir, kWriteNodeFile ----

const std::string& Action::key() const {
  const auto* t = Find<Boxed<Text>>();
  return t ? t->get().key : NoString();
}
const std::string& Action::value() const {
  const auto* t = Find<Boxed<Text>>();
  return t ? t->get().value : NoString();
}
int Action::mode() const {
  const auto* t = Find<Boxed<Text>>();
  return t ? t->get().mode : Text{}.mode;
}
void Action::set_key(std::string key) { Need<Boxed<Text>>("key").get().key = std::move(key); }
void Action::set_value(std::string value) {
  Need<Boxed<Text>>("value").get().value = std::move(value);
}
void Action::set_mode(int mode) { Need<Boxed<Text>>("mode").get().mode = mode; }

// ---- boxed values ----

template <typename T>
const T& Action::BoxedOrDefault() const {
  const auto* b = Find<Boxed<T>>();
  return b ? b->get() : Default<T>();
}

const RouteSpec& Action::route() const { return BoxedOrDefault<RouteSpec>(); }
RouteSpec& Action::mutable_route() { return Need<Boxed<RouteSpec>>("route").get(); }
const std::vector<SnatSpec>& Action::snat() const {
  return BoxedOrDefault<std::vector<SnatSpec>>();
}
std::vector<SnatSpec>& Action::mutable_snat() {
  return Need<Boxed<std::vector<SnatSpec>>>("snat").get();
}
const FirewallSet& Action::firewall() const { return BoxedOrDefault<FirewallSet>(); }
FirewallSet& Action::mutable_firewall() { return Need<Boxed<FirewallSet>>("firewall").get(); }
const PortVlans& Action::port_vlans() const { return BoxedOrDefault<PortVlans>(); }
PortVlans& Action::mutable_port_vlans() { return Need<Boxed<PortVlans>>("port vlans").get(); }
const VirtualSpec& Action::virt() const { return BoxedOrDefault<VirtualSpec>(); }
VirtualSpec& Action::mutable_virt() { return Need<Boxed<VirtualSpec>>("virt").get(); }
const Impairment& Action::impairment() const { return BoxedOrDefault<Impairment>(); }
Impairment& Action::mutable_impairment() { return Need<Boxed<Impairment>>("impairment").get(); }
const ProgramSpec& Action::program() const { return BoxedOrDefault<ProgramSpec>(); }
ProgramSpec& Action::mutable_program() { return Need<Boxed<ProgramSpec>>("program").get(); }

const std::string& Action::master() const {
  const auto* m = Find<Boxed<Master>>();
  return m ? m->get().name : NoString();
}
void Action::set_master(std::string master) {
  Need<Boxed<Master>>("master").get().name = std::move(master);
}
const std::string& Action::parent() const {
  const auto* v = Find<Boxed<action_payload::Vlan>>();
  return v ? v->get().parent : NoString();
}
int Action::vlan() const {
  const auto* v = Find<Boxed<action_payload::Vlan>>();
  return v ? v->get().id : 0;
}
void Action::set_vlan(std::string parent, int vlan) {
  auto& v = Need<Boxed<action_payload::Vlan>>("vlan").get();
  v.parent = std::move(parent);
  v.id = vlan;
}

}  // namespace topo
