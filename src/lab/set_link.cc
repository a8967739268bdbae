#include "lab/set_link.h"

#include "lab/lab.h"
#include "model/diagnostic.h"

namespace topo {

namespace {

// Applies `to` on one end: the whole impairment, or none.
Status Impose(Backend& backend, const LinkEndChange& c, const Impairment& to) {
  if (to.IsNone()) {
    Status s = backend.ClearImpairment(c.ns, c.ifname);
    return s.IsNotFound() ? Status::OK() : s;
  }
  return backend.SetImpairment(c.ns, c.ifname, to);
}

// Finds the link end `node:ifname` in the plan, and its peer.
Status FindEnd(const Plan& plan, const std::string& ns, const std::string& node,
               const std::string& ifname, LinkEndChange* end, LinkEndChange* peer) {
  std::vector<std::string> names;
  for (const Action& a : plan.actions) {
    if (a.kind != ActionKind::kCreateVeth) continue;
    if (a.ns == ns) names.push_back(a.ifname);
    if (a.peer_ns() == ns) names.push_back(a.peer_ifname());
    if (a.ns == ns && a.ifname == ifname) {
      *end = {a.ns, a.node, a.ifname, {}, {}};
      *peer = {a.peer_ns(), a.peer_node(), a.peer_ifname(), {}, {}};
      return Status::OK();
    }
    if (a.peer_ns() == ns && a.peer_ifname() == ifname) {
      *end = {a.peer_ns(), a.peer_node(), a.peer_ifname(), {}, {}};
      *peer = {a.ns, a.node, a.ifname, {}, {}};
      return Status::OK();
    }
  }
  return Status::NotFound("node '" + node + "' has no link end '" + ifname + "' in lab '" +
                          plan.lab + "'" + DidYouMean(ifname, names));
}

std::string Name(const LinkEndChange& c) { return c.node + ":" + c.ifname; }

}  // namespace

Status SetLink(const SetLinkRequest& req, Backend& backend, StateStore& store, SetLinkResult* out) {
  *out = SetLinkResult{};
  const size_t colon = req.endpoint.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == req.endpoint.size() ||
      req.endpoint.find(':', colon + 1) != std::string::npos) {
    return Status::InvalidArgument("'" + req.endpoint +
                                   "' is not a link end of the form node:interface");
  }
  const std::string node = req.endpoint.substr(0, colon);
  const std::string ifname = req.endpoint.substr(colon + 1);
  Status s = store.Open();
  if (!s.ok()) return s;
  std::string ns;
  s = FindNodeNamespace(store, req.lab, node, &out->lab, &ns, req.prefix);
  if (!s.ok()) return s;
  // That lab's lock only: a stuck lab elsewhere does not block this one.
  if (s = store.LockLab(out->lab); !s.ok()) return s;
  if (req.cancel && req.cancel->load()) {
    return Status::Interrupted("interrupted before lab '" + out->lab +
                               "' was touched; nothing was changed");
  }
  LabRecord rec;
  if (s = store.ReadLab(out->lab, &rec); !s.ok()) return s;
  if (!rec.complete) {
    return Status::InvalidArgument("lab '" + out->lab +
                                   "' is not completely up (its `up` did not finish); run "
                                   "`topo down " +
                                   out->lab + "`");
  }
  LinkEndChange end, peer;
  if (s = FindEnd(rec.plan, ns, node, ifname, &end, &peer); !s.ok()) return s;
  std::vector<LinkEndChange> targets = {end};
  if (req.both) targets.push_back(peer);

  const std::map<std::string, Impairment> current = rec.Impairments();
  std::string problems;
  for (LinkEndChange& c : targets) {
    auto it = current.find(c.ns + ":" + c.ifname);
    if (it != current.end()) c.before = it->second;
    c.after = req.clear ? req.changes : c.before.Merged(req.changes);
    for (const ImpairmentProblem& p : ImpairmentProblems(c.after)) {
      std::string text = Name(c) + ": " + p.message + (p.hint.empty() ? "" : " (" + p.hint + ")");
      if (p.warning) {
        out->warnings.push_back(text);
      } else {
        problems += (problems.empty() ? "" : "; ") + text;
      }
    }
  }
  if (!problems.empty()) return Status::InvalidArgument(problems + "; nothing was changed");

  Journal journal;
  if (s = store.OpenJournal(out->lab, &journal); !s.ok()) return s;
  for (size_t k = 0; k < targets.size(); ++k) {
    const LinkEndChange& c = targets[k];
    if (s = journal.BeginLinkChange({c.ns, c.node, c.ifname, c.after}); !s.ok()) return s;
    if (req.after_journal) req.after_journal();
    Status applied = Impose(backend, c, c.after);
    if (applied.ok()) {
      if (s = journal.EndLinkChange(true); !s.ok()) return s;
      out->changes.push_back(c);
      continue;
    }
    // Put back this end, then the ends already changed, newest first.
    std::string msg = "impair " + c.ns + ":" + c.ifname + ": " + applied.message();
    std::string restore_errors;
    Status undo = Impose(backend, c, c.before);
    if (!undo.ok()) restore_errors += " " + Name(c) + ": " + undo.message();
    journal.EndLinkChange(false);
    for (size_t j = k; j-- > 0;) {
      const LinkEndChange& done = targets[j];
      journal.BeginLinkChange({done.ns, done.node, done.ifname, done.before});
      Status back = Impose(backend, done, done.before);
      journal.EndLinkChange(back.ok());
      if (!back.ok()) restore_errors += " " + Name(done) + ": " + back.message();
    }
    out->changes.clear();
    msg += restore_errors.empty()
               ? "; the previous impairments are back"
               : "; could not restore the previous impairments:" + restore_errors;
    return Status::IOError(msg, applied.sys_errno());
  }
  return Status::OK();
}

}  // namespace topo
