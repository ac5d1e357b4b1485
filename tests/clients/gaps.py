"""The known berth gaps: scenarios that fail through a client because berth-runtime lacks
something runc has. Each entry names the test, the clients it affects ("*" for all;
"runtime" for test_contract.py, which calls the runtime alone) and why. conftest.py marks
those berth instances as strict xfails: they must fail, so when a gap is fixed the test
XPASSes, fails the lane, and its entry here must go.

Nothing else may be tolerated: a berth failure not listed here is a failure.
"""

# test name -> {client or "*": reason}. Empty: since the merge of the runtime branches
# (exec, terminal, features, resources, pause/resume, ps, hooks, lo up), every scenario
# passes with berth under all three clients as with runc.
GAPS = {}


def reason(test, client):
    entry = GAPS.get(test, {})
    return entry.get(client) or entry.get("*")
