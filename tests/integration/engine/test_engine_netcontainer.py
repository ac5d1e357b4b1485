"""--network container:NAME and --mac-address (issue 14), as docker 20.10 behaves.

A joiner shares its donor's network namespace (no interface of its own: the donor's lo,
eth0 and ports), its /etc/hostname, /etc/hosts and /etc/resolv.conf and its hostname;
what would need a network of its own is refused with dockerd's words. --mac-address is
eth0's MAC on a bridge network, and the anti-spoofing rules of `table bridge berth` key
on it. Every test runs the engine in a network namespace of its own (`nb`).
"""

import json
import os
import subprocess

from test_engine_network import (BUSYBOX, ICMP_SINK, ipam_lines, nb, ns_ip,  # noqa: F401
                                 run_d, wait_no_veth)


def netns(pid):
    return os.readlink("/proc/%d/ns/net" % pid)


def links(b, ctr):
    """The names of the container's links (lo, eth0, ...)."""
    out = b("exec", ctr, "ip", "-o", "link").out
    return [l.split(":")[1].strip().split("@")[0] for l in out.splitlines()]


def test_joiner_shares_the_donors_network_and_files(nb):
    nb("network", "create", "--subnet", "10.71.0.0/24", "jn")
    did = run_d(nb, "--name", "web", "--network", "jn", "--hostname", "websrv",
                "--add-host", "extra:10.1.2.3", "--dns-search", "example.org", BUSYBOX,
                "sleep", "600")
    # a server on the donor's loopback only (busybox httpd binds before it daemonizes)
    nb("exec", "web", "sh", "-c", "mkdir /www && echo hello > /www/index.html && "
       "httpd -p 127.0.0.1:8080 -h /www")
    jid = run_d(nb, "--name", "joiner", "--network", "container:web", BUSYBOX, "sleep", "600")
    assert netns(nb.pid("joiner")) == netns(nb.pid("web"))
    # no interface of its own: the donor's eth0, its address and MAC
    assert links(nb, "joiner") == ["lo", "eth0"]
    assert "inet 10.71.0.2/24" in nb("exec", "joiner", "ip", "addr", "show", "eth0").out
    assert "02:42:0a:47:00:02" in nb("exec", "joiner", "ip", "link", "show", "eth0").out
    assert nb("exec", "joiner", "wget", "-qO-", "http://127.0.0.1:8080/").out == "hello\n"
    nb("exec", "joiner", "ping", "-c1", "-W2", "10.71.0.1")
    # the donor's hostname and /etc files (the same files: a line one adds, both see)
    assert nb("exec", "joiner", "hostname").out == "websrv\n"
    for f in ("/etc/hosts", "/etc/resolv.conf", "/etc/hostname"):
        assert nb("exec", "joiner", "cat", f).out == nb("exec", "web", "cat", f).out, f
    assert "10.1.2.3\textra" in nb("exec", "joiner", "cat", "/etc/hosts").out
    nb("exec", "joiner", "sh", "-c", "echo '10.9.9.9 added' >> /etc/hosts")
    assert "10.9.9.9 added" in nb("exec", "web", "cat", "/etc/hosts").out
    # inspect: dockerd's NetworkMode (the donor's id), no endpoint, the donor's paths
    j, d = nb.inspect("joiner"), nb.inspect("web")
    assert j["HostConfig"]["NetworkMode"] == "container:" + did
    assert j["NetworkSettings"]["Networks"] == {}
    assert j["NetworkSettings"]["IPAddress"] == "" and j["NetworkSettings"]["MacAddress"] == ""
    for k in ("HostsPath", "ResolvConfPath", "HostnamePath"):
        assert j[k] == d[k], k
    assert j["Config"]["Hostname"] == "websrv"
    rows = dict(l.split(" ", 1) for l in
                nb("ps", "--format", "{{.Names}} {{.Status}}").out.splitlines())
    assert rows["joiner"].startswith("Up") and rows["web"].startswith("Up"), rows
    # restarted while the donor runs: back in the donor's namespace
    old = nb.pid("joiner")
    nb("restart", "-t", "0", "joiner")
    nb.wait_status("joiner", "running")
    assert nb.pid("joiner") != old and netns(nb.pid("joiner")) == netns(nb.pid("web"))
    assert nb("exec", "joiner", "wget", "-qO-", "http://127.0.0.1:8080/").out == "hello\n"
    # stopping the joiner takes nothing from the donor
    nb("stop", "-t", "0", "joiner")
    nb("exec", "web", "ping", "-c1", "-W2", "10.71.0.1")
    assert jid in nb("ps", "-aq", "--no-trunc").out
    nb("rm", "-f", "joiner", "web")


def test_donor_restarted_or_removed_under_a_running_joiner(nb):
    nb("network", "create", "--subnet", "10.72.0.0/24", "dn")
    did = run_d(nb, "--name", "d1", "--network", "dn", BUSYBOX, "sleep", "600")
    run_d(nb, "--name", "j1", "--network", "container:d1", BUSYBOX, "sleep", "600")
    shared = netns(nb.pid("j1"))
    # as docker's: the donor's restart gives it a new namespace; the joiner keeps the old
    # one, whose eth0 went with the donor's stop (lo is left)
    nb("restart", "-t", "0", "d1")
    nb.wait_status("d1", "running")
    assert netns(nb.pid("j1")) == shared != netns(nb.pid("d1"))
    assert links(nb, "j1") == ["lo"]
    assert links(nb, "d1") == ["lo", "eth0"]
    nb("exec", "d1", "ping", "-c1", "-W2", "10.72.0.1")
    # the donor can be removed (docker allows it) while the joiner runs in its namespace:
    # its eth0 leaves the bridge and its address is free again
    nb("stop", "-t", "0", "j1")
    nb("start", "j1")
    assert netns(nb.pid("j1")) == netns(nb.pid("d1"))
    nb("rm", "-f", "d1")
    assert nb.status("j1") == "running"
    assert wait_no_veth(nb.netns, "vb" + did[:12])
    assert links(nb, "j1") == ["lo"]
    c = run_d(nb, "--network", "dn", BUSYBOX, "sleep", "600")
    assert nb.inspect(c)["NetworkSettings"]["Networks"]["dn"]["IPAddress"] == "10.72.0.2"
    # the donor is gone: the joiner cannot start again (dockerd looks it up by id)
    nb("stop", "-t", "0", "j1")
    r = nb("start", "j1", check=False)
    assert r.rc != 0 and "No such container: " + did in r.err, r
    nb("rm", "-f", "j1", c)


def test_conflicting_flags_are_refused_and_leave_nothing(nb):
    nb("network", "create", "--subnet", "10.73.0.0/24", "cn")
    run_d(nb, "--name", "donor", "--network", "cn", BUSYBOX, "sleep", "600")
    before = nb("ps", "-aq", "--no-trunc").out
    for args, msg in [
            (["-h", "x"], "conflicting options: hostname and the network mode"),
            (["--hostname", "x"], "conflicting options: hostname and the network mode"),
            (["--dns", "10.0.0.1"], "conflicting options: dns and the network mode"),
            (["--add-host", "a:10.0.0.1"],
             "conflicting options: custom host-to-IP mapping and the network mode"),
            (["--mac-address", "92:d0:c6:0a:29:33"],
             "conflicting options: mac-address and the network mode"),
            (["-p", "8080:80"],
             "conflicting options: port publishing and the container type network mode"),
            (["-P"],
             "conflicting options: port publishing and the container type network mode"),
            (["--expose", "80"],
             "conflicting options: port exposing and the container type network mode"),
            (["--ip", "10.73.0.9"],
             "user specified IP address is supported on user defined networks only"),
            (["--network-alias", "a"],
             "network-scoped aliases are only supported for user-defined networks"),
            (["--userns", "auto"], "cannot share another container's namespace when the "
                                   "container has a user namespace"),
    ]:
        for cmd in ("run", "create"):
            r = nb(cmd, "--network", "container:donor", *args, BUSYBOX, "true", check=False)
            assert r.rc == 125 and msg in r.err, (cmd, args, r)
    r = nb("run", "--rm", "--network", "container:", BUSYBOX, "true", check=False)
    assert r.rc == 125 and \
        "Invalid network mode: invalid container format container:<name|id>" in r.err, r
    r = nb("run", "--rm", "--network", "container:nosuch", BUSYBOX, "true", check=False)
    assert r.rc == 125 and "No such container: nosuch" in r.err, r
    assert nb("ps", "-aq", "--no-trunc").out == before
    # a donor with a user namespace of its own cannot be joined either (checked at create)
    nb("create", "--name", "ud", "--userns", "auto", BUSYBOX, "true")
    r = nb("create", "--network", "container:ud", BUSYBOX, "true", check=False)
    assert r.rc == 125 and "that container has a user namespace of its own" in r.err, r
    nb("rm", "ud")
    assert nb("ps", "-aq", "--no-trunc").out == before
    # accepted as dockerd accepts them, with nothing to change in the donor's resolv.conf
    r = nb("run", "--rm", "--network", "container:donor", "--dns-search", "x.org", BUSYBOX,
           "cat", "/etc/resolv.conf")
    assert "x.org" not in r.out and "DNS search domains and options have no effect" in r.err
    nb("rm", "-f", "donor")


def test_a_donor_that_does_not_run_is_refused(nb):
    idle = nb("create", "--name", "idle", BUSYBOX, "true").out.strip()
    r = nb("run", "--rm", "--network", "container:idle", BUSYBOX, "true", check=False)
    # dockerd names the donor by the id it recorded at create
    assert r.rc == 125 and \
        "cannot join network of a non running container: " + idle in r.err, r
    nb("create", "--name", "later", "--network", "container:idle", BUSYBOX, "true")
    r = nb("start", "later", check=False)
    assert r.rc != 0 and "cannot join network of a non running container: " + idle in r.err
    assert nb.status("later") == "created"
    nb("rm", "later")
    assert nb.containers() == [idle]
    nb("rm", "idle")


def test_mac_address_on_eth0_inspect_and_antispoofing(nb):
    nb("network", "create", "--subnet", "10.74.0.0/24", "mn")
    m1 = run_d(nb, "--name", "m1", "--network", "mn", "--mac-address", "92:d0:c6:0a:29:33",
               BUSYBOX, "sleep", "600")
    # Go's other forms, either case, as docker's CLI takes them
    run_d(nb, "--name", "m2", "--network", "mn", "--mac-address", "92-D0-C6-0A-29-44",
          BUSYBOX, "sleep", "600")
    run_d(nb, "--name", "m3", "--network", "mn", "--mac-address", "92d0.c60a.2955",
          "--cap-add", "NET_ADMIN", BUSYBOX, "sleep", "600")
    for ctr, mac in (("m1", "92:d0:c6:0a:29:33"), ("m2", "92:d0:c6:0a:29:44"),
                     ("m3", "92:d0:c6:0a:29:55")):
        assert "link/ether %s " % mac in nb("exec", ctr, "ip", "link", "show", "eth0").out
        assert nb.inspect(ctr)["NetworkSettings"]["Networks"]["mn"]["MacAddress"] == mac
    i = nb.inspect("m2")
    assert i["Config"]["MacAddress"] == "92-D0-C6-0A-29-44"
    # docker's top-level fields are the default network's only
    assert i["NetworkSettings"]["MacAddress"] == ""
    cont = json.loads(nb("network", "inspect", "mn").out)[0]["Containers"]
    assert cont[m1]["MacAddress"] == "92:d0:c6:0a:29:33"
    # the containers talk (the anti-spoofing rules let their own MACs through)
    nb("exec", "m1", "ping", "-c1", "-W2", "10.74.0.3")
    nb("exec", "m2", "ping", "-c1", "-W2", "10.74.0.2")
    nb("exec", "m1", "ping", "-c1", "-W2", "10.74.0.1")
    assert "92:d0:c6:0a:29:33" in ns_ip(nb.netns, "neigh", "show", "10.74.0.2").stdout
    # a container without one keeps docker's; a MAC taken on the network is refused
    run_d(nb, "--name", "m4", "--network", "mn", BUSYBOX, "sleep", "600")
    assert "02:42:0a:4a:00:05" in nb("exec", "m4", "ip", "link", "show", "eth0").out
    r = nb("run", "--rm", "--network", "mn", "--mac-address", "92:D0:C6:0A:29:33", BUSYBOX,
           "true", check=False)
    assert r.rc == 125 and "MAC address 92:d0:c6:0a:29:33 is already in use on network mn" \
        in r.err, r
    # m3 sends as docker's MAC for its address (what the rules would allow without its
    # own), then as itself: only the second reaches the engine's namespace
    sink = subprocess.Popen(["nsenter", "--net=/run/netns/" + nb.netns, "/usr/bin/python3",
                             "-c", ICMP_SINK], stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout.readline() == "ready\n"
        nb("exec", "m3", "sh", "-c",
           "ip link set eth0 address 02:42:0a:4a:00:04 && ping -c1 -W1 -s 88 10.74.0.1; "
           "ip link set eth0 address 92:d0:c6:0a:29:55", check=False)
        nb("exec", "m3", "ping", "-c1", "-W2", "-s", "99", "10.74.0.1", check=False)
        out, _ = sink.communicate(timeout=60)
    finally:
        if sink.poll() is None:
            sink.kill()
            sink.wait()
    assert out == "10.74.0.4 99\n", out
    # kept across a restart
    nb("restart", "-t", "0", "m1")
    nb.wait_status("m1", "running")
    assert "link/ether 92:d0:c6:0a:29:33 " in nb("exec", "m1", "ip", "link", "show", "eth0").out
    nb("exec", "m2", "ping", "-c1", "-W2", "10.74.0.2")
    nb("rm", "-f", "m1", "m2", "m3", "m4")


def test_mac_address_on_the_default_network(nb):
    run_d(nb, "--name", "dm", "--network", "bridge", "--mac-address", "02:00:00:00:00:01",
          BUSYBOX, "sleep", "600")
    s = nb.inspect("dm")["NetworkSettings"]
    assert s["MacAddress"] == "02:00:00:00:00:01" == s["Networks"]["bridge"]["MacAddress"]
    assert s["IPAddress"] == s["Networks"]["bridge"]["IPAddress"] != ""
    assert "link/ether 02:00:00:00:00:01 " in nb("exec", "dm", "ip", "link", "show",
                                                  "eth0").out
    nb("rm", "-f", "dm")


def test_bad_mac_address_is_refused_and_leaves_nothing(nb):
    nb("network", "create", "--subnet", "10.75.0.0/24", "bm")
    for args, msg in [
            (["--network", "bm", "--mac-address", "92:d0:zz"],
             "92:d0:zz is not a valid mac address"),
            (["--network", "bm", "--mac-address", "92:d0:c6:0a:29:33:44:55"],
             "92:d0:c6:0a:29:33:44:55 is not a valid mac address"),
            (["--network", "bm", "--mac-address", "92:d0-c6:0a:29:33"],
             "92:d0-c6:0a:29:33 is not a valid mac address"),
            (["--network", "bm", "--mac-address", "01:00:5e:00:00:01"],
             "01:00:5e:00:00:01 is not a valid mac address"),
            (["--network", "bm", "--mac-address", "00:00:00:00:00:00"],
             "00:00:00:00:00:00 is not a valid mac address"),
            (["--network", "host", "--mac-address", "92:d0:c6:0a:29:33"],
             "conflicting options: mac-address and the network mode"),
    ]:
        r = nb("run", "--rm", *args, BUSYBOX, "true", check=False)
        assert r.rc == 125 and msg in r.err, (args, r)
    assert nb.containers() == []
    assert ipam_lines(nb, "bm") == []
    # no interface, nothing to give it to: accepted and shown, as dockerd does
    nb("create", "--name", "nm", "--network", "none", "--mac-address", "92:d0:c6:0a:29:33",
       BUSYBOX, "true")
    assert nb.inspect("nm")["Config"]["MacAddress"] == "92:d0:c6:0a:29:33"
    nb("rm", "nm")
