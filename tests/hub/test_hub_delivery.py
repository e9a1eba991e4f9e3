#!/usr/bin/python3
"""test_hub_delivery.py — end to end on loopback with real processes: two
sensors post alerts through sensor/hub_publisher to mamori-hub; each
subscriber receives exactly the alerts raised for the sectors its key may read
(compared by id), never another sector's; an unknown sensor key is refused with
nothing stored; a subscriber asking for a sector it may not read is refused;
tampered, oversized and malformed messages are refused with counted errors and
the hub keeps working."""
import hubtest
from hubtest import check, alerts_in, wait_for


def test(make):
    h = make()
    h.start_hub()
    rail_sub, rail_out = h.subscriber("rail-isac", "rail", "--format", "json", "--from-start")
    grid_sub, grid_out = h.subscriber("grid-sub", "grid", "--format", "json", "--from-start")
    h.wait_subscribed("rail")
    h.wait_subscribed("grid")

    r, rail_ids = h.send("rail-sensor", "rail.spool", "--count", "60", "--sector", "railways")
    check(r.returncode == 0, "rail sensor: all 60 alerts acknowledged (%s)" % r.stderr.strip())
    r, grid_ids = h.send("grid-sensor", "grid.spool", "--count", "40", "--sector", "electric-power",
                         "--severity", "critical")
    check(r.returncode == 0, "grid sensor: all 40 alerts acknowledged")

    got_rail = wait_for(lambda: len(alerts_in(rail_out)) >= 60 and alerts_in(rail_out))
    got_grid = wait_for(lambda: len(alerts_in(grid_out)) >= 40 and alerts_in(grid_out))
    check([a["id"] for a in got_rail] == rail_ids, "railways subscriber got exactly the 60 rail ids, in order")
    check([a["id"] for a in got_grid] == grid_ids, "electric-power subscriber got exactly the 40 grid ids, in order")
    check(all(a["sector"] == "railways" for a in got_rail), "railways subscriber never saw another sector")
    check(all(a["organisation"] == "rail-co" and a["site"] == "depot-north" for a in got_rail),
          "organisation from the key binding, empty site filled from it")
    check(got_grid[0]["topic"] == "electric-power.critical.unauthorized-command", "topic sector.severity.category")
    check(got_rail[0]["evidence"] == {"events": [{"n": 0, "src": "10.1.2.3:50123"}]}, "evidence travels intact")

    # A sensor posting for a sector its key is not bound to.
    r, ids = h.send("rail-sensor", "rail2.spool", "--count", "1", "--sector", "electric-power", "--timeout", "10")
    check(r.returncode == 0 and "rejected=1" in r.stderr,
          "rail sensor posting electric-power: refused by the hub (%d %s)" % (r.returncode, r.stderr.strip()))

    # Unknown key: the ZAP handler refuses the handshake; nothing is acknowledged or stored.
    before = h.stats()
    r, ids = h.send("stranger", "stranger.spool", "--count", "5", "--timeout", "3")
    check(r.returncode == 3 and "acked=0" in r.stderr, "unknown sensor key: no alert acknowledged")
    after = h.stats()
    check(after["alerts_in_store"] == before["alerts_in_store"] == 100, "unknown sensor key: nothing stored")
    check(after["keys_refused"] > before["keys_refused"], "unknown sensor key: refusal counted")

    # A subscriber key asking for a sector it may not read.
    r = h.run([h.sub_bin, "--hub", h.subs_ep, "--key", h.path("rail-isac.key"), "--hub-key", h.path("hub.pub"),
               "--sectors", "electric-power", "--format", "json", "--idle-exit", "10"], timeout=20)
    check(r.returncode == 1 and "may not read sector 'electric-power'" in r.stderr,
          "railways subscriber asking for electric-power: refused")

    # Hostile messages from an allowed key.
    out = h.raw("rail-sensor", "railways", "oversize")
    check(out.startswith("NACK - message of 40000 bytes exceeds 32768"), "oversized alert refused: " + out)
    out = h.raw("rail-sensor", "railways", "garbage")
    check(out.startswith("NACK - not a msgpack map"), "garbage refused: " + out)
    out = h.raw("rail-sensor", "railways", "tampered")
    check(out.startswith("NACK ") and "field 'summary': not printable UTF-8" in out, "tampered alert refused: " + out)
    out = h.raw("rail-sensor", "railways", "frames")
    check(out.startswith("NACK - malformed message"), "message with missing frames refused: " + out)
    s = h.stats()
    check(s["rejected_oversized"] == 1 and s["rejected_invalid"] == 2 and s["rejected_malformed"] == 1
          and s["rejected_unauthorized"] == 1, "each refusal counted by kind")
    out = h.raw("rail-sensor", "railways", "valid")
    check(out.startswith("ACK "), "the hub still accepts a good alert afterwards")
    check(h.hub.poll() is None, "the hub is still running")
    got_rail = wait_for(lambda: len(alerts_in(rail_out)) >= 61 and alerts_in(rail_out))
    check(len(got_rail) == 61 and got_rail[-1]["id"] == out.split()[1], "and delivers it")
    check(got_rail[-1]["sensor"] == "rail-sensor", "an alert without a sensor name gets its key's name")
    check(len(alerts_in(grid_out)) == 40, "nothing refused reached any subscriber")


if __name__ == "__main__":
    hubtest.main(test)
