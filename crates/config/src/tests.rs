//! Configuration tests: parsing, every validation error with its location,
//! the canonical printer (golden file) and the reload diff.

use super::*;
use condor_wire::{Asn, Family};

const EXAMPLE: &str = include_str!("../../../examples/peru-ix-rs1.toml");

#[test]
fn example_parses() {
    let c = parse("peru-ix-rs1.toml", EXAMPLE).unwrap();
    assert_eq!(c.server.asn, Asn(64115));
    assert_eq!(c.server.router_id.to_string(), "45.183.47.1");
    assert_eq!(c.neighbors.len(), 3);
    let n = &c.neighbors[1];
    assert_eq!(n.asn, Asn(4_200_000_001));
    assert_eq!(n.families, vec![Family::IPV4_UNICAST]);
    assert!(n.role_strict && n.add_path_send && n.passive);
    assert_eq!(
        n.max_prefix.as_ref().unwrap().action,
        MaxPrefixAction::Shutdown
    );
    assert_eq!(
        c.neighbors[0].password.as_ref().unwrap().expose(),
        "change-me-generated-by-condor"
    );
    assert!(c.neighbors[2].internal);
}

fn errors(text: &str) -> Vec<String> {
    parse("t.toml", text)
        .unwrap_err()
        .0
        .iter()
        .map(|e| e.to_string())
        .collect()
}

const SERVER: &str = "[server]\nasn = 64115\nrouter_id = \"45.183.47.1\"\n";

#[test]
fn unknown_field_is_named_with_its_line() {
    let e = errors(&format!("{SERVER}colour = \"blue\"\n"));
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("t.toml:4:1: unknown field `colour`"),
        "{e:?}"
    );
    let e = errors(&format!(
        "{SERVER}\n[[neighbor]]\naddress = \"45.183.47.10\"\nasn = 64500\npasword = \"x\"\n"
    ));
    assert!(
        e[0].starts_with("t.toml:8:1: unknown field `pasword`"),
        "{e:?}"
    );
}

#[test]
fn semantic_errors_are_all_reported_with_field_and_line() {
    let text = format!(
        "{SERVER}hold_time = 2\n\n[[neighbor]]\naddress = \"45.183.47.10\"\nasn = 0\n\n[[neighbor]]\naddress = \"45.183.47.10\"\nasn = 64501\npassword = \"{}\"\nfamilies = [\"ipv4-multicast\"]\nttl_security = 1\nmultihop = 2\n[neighbor.max_prefix]\naction = \"explode\"\n\n[[neighbor]]\naddress = \"not-an-ip\"\nasn = \"AS23456\"\n",
        "x".repeat(81)
    );
    let e = errors(&text);
    let want = [
        "t.toml:4:13: server.hold_time: must be 0 or at least 3 seconds",
        "t.toml:8:7: neighbor[0].asn: AS0 is reserved",
        "t.toml:11:11: neighbor[1].address: 45.183.47.10 is already neighbor[0]",
        "t.toml:13:12: neighbor[1].password: must be 1 to 80 octets long",
        "neighbor[1].families: unknown family \"ipv4-multicast\"",
        "neighbor[1].multihop: cannot be combined with ttl_security",
        "neighbor[1].max_prefix.action: unknown action \"explode\"",
        "t.toml:21:11: neighbor[2].address: \"not-an-ip\" is not an IP address",
    ];
    for w in want {
        assert!(e.iter().any(|x| x.contains(w)), "missing {w:?} in {e:#?}");
    }
    assert_eq!(e.len(), want.len(), "{e:#?}");
}

#[test]
fn missing_server_section() {
    let e = errors("[[neighbor]]\naddress = \"45.183.47.10\"\nasn = 1\n");
    assert!(e[0].contains("missing field `server`"), "{e:?}");
}

#[test]
fn canonical_printer_hides_secrets_and_matches_golden() {
    let c = parse("peru-ix-rs1.toml", EXAMPLE).unwrap();
    let printed = to_canonical_toml(&c);
    assert!(!printed.contains("change-me"), "secret leaked");
    assert!(!printed.contains("another-generated"), "secret leaked");
    let golden_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/peru-ix-rs1.canonical.toml"
    );
    if std::env::var_os("CONDOR_BLESS").is_some() {
        std::fs::write(golden_path, &printed).unwrap();
    }
    let golden = std::fs::read_to_string(golden_path)
        .expect("golden file (regenerate with CONDOR_BLESS=1 cargo test -p condor-config)");
    assert_eq!(
        printed, golden,
        "canonical output changed; regenerate with CONDOR_BLESS=1 if intended"
    );
    // The canonical form parses back to the same config, secrets aside.
    let back = parse("canonical", &printed).unwrap();
    assert_eq!(back.neighbors.len(), c.neighbors.len());
    assert_eq!(back.server, c.server);
    for (a, b) in back.neighbors.iter().zip(&c.neighbors) {
        assert_eq!(
            (a.address, a.asn, &a.families, &a.max_prefix),
            (b.address, b.asn, &b.families, &b.max_prefix)
        );
    }
}

#[test]
fn reload_diff_classifies_changes() {
    let old = parse("a", EXAMPLE).unwrap();
    let text = EXAMPLE
        .replace(
            "name = \"Example Andean Networks\"",
            "name = \"Example Andean Networks SAC\"",
        )
        .replace("another-generated-password", "rotated-password")
        .replace(
            "address = \"45.183.47.250\"\nasn = 64496",
            "address = \"45.183.47.251\"\nasn = 64496",
        );
    let new = parse("b", &text).unwrap();
    let d = diff(&old, &new);
    assert_eq!(
        d.added,
        vec!["45.183.47.251".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(
        d.removed,
        vec!["45.183.47.250".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(d.changed.len(), 2);
    assert_eq!(
        (d.changed[0].impact, d.changed[0].fields.clone()),
        (Impact::InPlace, vec!["name"])
    );
    assert_eq!(
        (d.changed[1].impact, d.changed[1].fields.clone()),
        (Impact::Keys, vec!["password"])
    );
    let reset = parse("c", &EXAMPLE.replace("asn = 64500", "asn = 64502")).unwrap();
    assert_eq!(diff(&old, &reset).changed[0].impact, Impact::Reset);
    assert!(diff(&old, &old).is_empty());
}

#[test]
fn filters_default_to_the_ixp_practice_and_validate() {
    let base = "[server]\nasn = 64115\nrouter_id = \"45.183.47.1\"\n";
    let c = parse("t.toml", base).unwrap();
    assert_eq!(
        c.filters,
        condor_policy::Filters {
            otc_egress: Some(Asn(64115)),
            ..condor_policy::Filters::default()
        }
    );
    let custom = format!(
        "{base}[filters]\nnext_hop = \"same-member\"\nipv4_length = [8, 23]\nrpki = \"tag\"\ntransit_free = [3356]\nnever_via_route_servers = [15169]\n"
    );
    let c = parse("t.toml", &custom).unwrap();
    assert_eq!(c.filters.next_hop, condor_policy::NextHopPolicy::SameMember);
    assert_eq!(c.filters.ipv4_length, (8, 23));
    assert_eq!(c.filters.rpki, condor_policy::RpkiPolicy::Tag);
    assert!(c.filters.transit_free.contains(&Asn(3356)) && c.filters.transit_free.len() == 1);
    assert!(c.filters.never_via_rs.contains(&Asn(15169)));
    // The canonical form parses back to the same filters.
    let again = parse("canonical.toml", &to_canonical_toml(&c)).unwrap();
    assert_eq!(again.filters, c.filters);
    let bad = format!(
        "{base}[filters]\nnext_hop = \"nearest\"\nipv6_length = [64, 48]\nrpki = \"strict\"\nmax_as_path_len = 0\n"
    );
    let e = errors(&bad);
    assert_eq!(e.len(), 4, "{e:#?}");
    assert!(
        e[0].starts_with("t.toml:5:")
            && e[0].contains("filters.next_hop")
            && e[0].contains("same-member"),
        "{}",
        e[0]
    );
    assert!(
        e.iter()
            .any(|m| m.contains(":6:") && m.contains("filters.ipv6_length")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains(":7:") && m.contains("filters.rpki")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains(":8:") && m.contains("max_as_path_len")),
        "{e:#?}"
    );
    let unknown = errors(&format!("{base}[filters]\nbogons = true\n"));
    assert!(unknown[0].contains("bogons"), "{unknown:?}");
}

#[test]
fn filter_changes_reload_without_reset() {
    let base = "[server]\nasn = 64115\nrouter_id = \"45.183.47.1\"\n[[neighbor]]\naddress = \"45.183.47.10\"\nasn = 64500\n";
    let old = parse("a", base).unwrap();
    let new = parse(
        "b",
        &base.replace("[[neighbor]]", "[filters]\nrpki = \"tag\"\n[[neighbor]]"),
    )
    .unwrap();
    let d = diff(&old, &new);
    assert!(d.filters && d.changed.is_empty() && !d.is_empty());
    let nh = parse(
        "c",
        &format!("{base}transparent = true\nnext_hops = [\"45.183.47.11\"]\n"),
    )
    .unwrap();
    let d = diff(&old, &nh);
    assert_eq!(d.changed[0].fields, vec!["transparent", "next_hops"]);
    assert_eq!(d.changed[0].impact, Impact::InPlace);
}

#[test]
fn looking_glass_section() {
    let c = parse(
        "t.toml",
        &format!(
            "{SERVER}\n[looking_glass]\nlisten = \"127.0.0.1:8080\"\noperator_token = \"s3cret-operator-token\"\n"
        ),
    )
    .unwrap();
    let lg = c.looking_glass.as_ref().unwrap();
    assert_eq!(lg.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(
        lg.operator_token.as_ref().unwrap().expose(),
        "s3cret-operator-token"
    );
    let printed = to_canonical_toml(&c);
    assert!(
        printed.contains(
            "[looking_glass]\nlisten = \"127.0.0.1:8080\"\noperator_token = \"<redacted>\""
        ),
        "{printed}"
    );
    assert!(!printed.contains("s3cret"));
    assert!(!format!("{c:?}").contains("s3cret"), "Debug shows no token");
    assert!(parse("t.toml", SERVER).unwrap().looking_glass.is_none());
    let e = errors(&format!(
        "{SERVER}\n[looking_glass]\nlisten = \"localhost\"\noperator_token = \"short\"\n"
    ));
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("t.toml:6:10: looking_glass.listen"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("t.toml:7:18: looking_glass.operator_token"),
        "{e:?}"
    );
}

#[test]
fn irr_settings_and_as_sets() {
    let base = "[server]\nasn = 64115\nrouter_id = \"45.183.47.1\"\n";
    let c = parse("t.toml", base).unwrap();
    assert_eq!(c.irr, IrrSettings::default());
    let text = format!(
        "{base}[irr]\nhost = \"rr.ntt.net\"\nrefresh = \"6h\"\nretry = 300\ncache_dir = \"/var/lib/condor/irr\"\n[[neighbor]]\naddress = \"45.183.47.10\"\nasn = 64500\nas_set = \"AS64500:AS-CUSTOMERS\"\n"
    );
    let c = parse("t.toml", &text).unwrap();
    assert_eq!(c.irr.host.as_deref(), Some("rr.ntt.net"));
    assert_eq!(c.irr.refresh.as_secs(), 21600);
    assert_eq!(c.irr.retry.as_secs(), 300);
    assert_eq!(
        c.neighbors[0].as_set.as_deref(),
        Some("AS64500:AS-CUSTOMERS")
    );
    let again = parse("canonical.toml", &to_canonical_toml(&c)).unwrap();
    assert_eq!(again, c);
    let e = errors(&format!(
        "{base}[irr]\nrefresh = \"often\"\nmax_len_v4 = 33\n[[neighbor]]\naddress = \"45.183.47.10\"\nasn = 64500\nas_set = \"-h evil.example\"\n"
    ));
    assert_eq!(e.len(), 3, "{e:#?}");
    assert!(
        e.iter()
            .any(|m| m.contains(":5:") && m.contains("irr.refresh")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains(":10:") && m.contains("neighbor[0].as_set")),
        "{e:#?}"
    );
}

#[test]
fn rpki_sources() {
    let base = "[server]\nasn = 64115\nrouter_id = \"45.183.47.1\"\n";
    assert_eq!(parse("t.toml", base).unwrap().rpki, None);
    let text = format!(
        "{base}[rpki]\nexpiry = \"2h\"\nfile = \"/var/lib/rpki-client/json\"\n[[rpki.cache]]\naddress = \"127.0.0.1:3323\"\n[[rpki.cache]]\naddress = \"rpki2.example:8282\"\npreference = 2\n"
    );
    let c = parse("t.toml", &text).unwrap();
    let r = c.rpki.as_ref().unwrap();
    assert_eq!(r.caches.len(), 2);
    assert_eq!((r.caches[0].preference, r.caches[1].preference), (1, 2));
    assert_eq!(r.expiry.as_secs(), 7200);
    let again = parse("canonical.toml", &to_canonical_toml(&c)).unwrap();
    assert_eq!(again, c);
    let e = errors(&format!(
        "{base}[rpki]\nrtr_version = 3\n[[rpki.cache]]\naddress = \"localhost\"\n"
    ));
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(
        e.iter()
            .any(|m| m.contains(":5:") && m.contains("rpki.rtr_version")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains(":7:") && m.contains("rpki.cache[0].address")),
        "{e:#?}"
    );
}

#[test]
fn per_member_filter_overrides() {
    let text = "[server]\nasn = 64115\nrouter_id = \"45.183.47.1\"\n[filters]\nrpki = \"tag\"\n\
        [[neighbor]]\naddress = \"45.183.47.10\"\nasn = 64500\n\
        [neighbor.filters]\nipv4_length = [8, 25]\nfirst_as = false\ninformational_communities = true\n\
        [[neighbor]]\naddress = \"45.183.47.11\"\nasn = 64501\n";
    let c = parse("t.toml", text).unwrap();
    assert_eq!(c.filters.informational, None, "off by default");
    let own = c.neighbors[0].filters.as_ref().expect("overrides");
    assert_eq!(own.informational, Some(Asn(64115)), "on for this member");
    assert_eq!(own.ipv4_length, (8, 25));
    assert!(!own.first_as);
    assert_eq!(
        own.rpki,
        condor_policy::RpkiPolicy::Tag,
        "the rest comes from [filters]"
    );
    assert_eq!(own.otc_egress, Some(Asn(64115)));
    assert!(c.neighbors[1].filters.is_none());
    let again = parse("canonical.toml", &to_canonical_toml(&c)).unwrap();
    assert_eq!(again, c);
    let e = errors(&text.replace("first_as = false", "next_hop = \"nowhere\""));
    assert!(
        e[0].contains("neighbor[0].filters") && e[0].contains("nowhere"),
        "{e:?}"
    );
}

#[test]
fn a_missing_irr_file_is_named_with_its_line() {
    let e = errors(
        "[server]\nasn = 64115\nrouter_id = \"45.183.47.1\"\n[[neighbor]]\naddress = \"45.183.47.10\"\nasn = 64500\nirr_file = \"/nonexistent/as-example.txt\"\n",
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("t.toml:7:") && e[0].contains("neighbor[0].irr_file"),
        "{e:?}"
    );
}

#[test]
fn blackhole_next_hops() {
    let base = "[server]\nasn = 64115\nrouter_id = \"45.183.47.1\"\n";
    let c = parse(
        "t.toml",
        &format!("{base}[blackhole]\nnext_hop_v4 = \"45.183.47.66\"\n"),
    )
    .unwrap();
    let b = c.filters.blackhole.as_ref().expect("blackholing on");
    assert_eq!(b.next_hop_v4, Some("45.183.47.66".parse().unwrap()));
    assert_eq!(b.next_hop_v6, None);
    assert_eq!(parse("canonical.toml", &to_canonical_toml(&c)).unwrap(), c);
    let e = errors(&format!(
        "{base}[blackhole]\nnext_hop_v4 = \"45.183.47.66\"\nnext_hop_v6 = \"45.183.47.66\"\n"
    ));
    assert!(
        e.len() == 1 && e[0].contains(":6:") && e[0].contains("blackhole.next_hop_v6"),
        "{e:?}"
    );
}
