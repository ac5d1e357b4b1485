"""The known berth gaps: scenarios that fail through a client because berth-runtime lacks
something runc has. Each entry names the test, the clients it affects ("*" for all;
"runtime" for test_contract.py, which calls the runtime alone) and why. conftest.py marks
those berth instances as strict xfails: they must fail, so when a gap is fixed the test
XPASSes, fails the lane, and its entry here must go.

Nothing else may be tolerated: a berth failure not listed here is a failure.
"""

# test name -> {client or "*": reason}
GAPS = {
    # runtime-exec branch: `exec`, --console-socket and process.terminal.
    "test_tty": {"*": "process.terminal and --console-socket are not supported yet"},
    "test_detached_exec_logs_stop_rm": {"*": "no `exec` command yet"},
    "test_exec_user": {"*": "no `exec` command yet"},
    # cgroups branch: linux.resources, pause/resume, ps.
    "test_limits": {"*": "linux.resources is not applied yet (memory, pids, cpu)"},
    "test_limits_seen_inside": {"*": "linux.resources is not applied yet (memory, pids)"},
    "test_oom_reported": {"*": "linux.resources.memory is not applied yet: no OOM kill"},
    "test_pause_unpause": {"*": "no `pause` / `resume` commands yet"},
    "test_top": {"docker": "no `ps --format json` command yet (docker top asks the runtime)",
                 "containerd": "no `ps --format json` command yet (ctr task ps asks the "
                               "runtime)"},
    # runtime-spec branch: hooks.
    "test_bridge_network": {"docker": "hooks are not run yet (Docker attaches the container "
                                      "to its network from a prestart hook)"},
    # test_contract.py (the runtime alone).
    "test_ps_json": {"runtime": "no `ps --format json` command yet (cgroups branch)"},
    "test_features": {"runtime": "no `features` command yet (runtime-exec branch)"},
    # Not on any branch yet: runc and crun bring lo up in a new network namespace; the
    # clients count on it (Docker with no bridge network, podman --network none, ctr).
    "test_loopback_up": {"*": "lo is left down in a new network namespace (runc and crun "
                              "bring it up)"},
}


def reason(test, client):
    entry = GAPS.get(test, {})
    return entry.get(client) or entry.get("*")
