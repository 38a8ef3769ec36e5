//! Registry validation: each rule has a failing case with the message it gives.

use condor_registry::{parse, Registry, RegistryError};
use std::path::Path;

const EXAMPLE: &str = include_str!("../../../examples/peru-ix-registry.toml");

fn problems(text: &str) -> Vec<String> {
    match parse(Path::new("reg.toml"), text) {
        Err(RegistryError::Invalid { problems, .. }) => {
            problems.iter().map(|p| p.to_string()).collect()
        }
        Err(e) => vec![format!("other error: {e}")],
        Ok(_) => vec![],
    }
}

fn with_member(extra: &str) -> String {
    format!("{EXAMPLE}\n[[member]]\n{extra}\n")
}

#[test]
fn example_is_valid() {
    let reg = parse(Path::new("reg.toml"), EXAMPLE).expect("example");
    assert_eq!(reg.members.len(), 4);
    assert_eq!(reg.exchange.route_servers.len(), 4);
    // Printing and reading again gives the same registry.
    let again = Registry::from_toml(&reg.to_toml().expect("toml")).expect("round trip");
    assert_eq!(again, reg);
}

#[test]
fn duplicate_asn_names_both() {
    let p = problems(&with_member("asn = 64496\nname = \"Copy\""));
    assert_eq!(p, ["member AS64496 (Copy): asn: AS64496 is already the ASN of member AS64496 (Andes Fibra)"]);
}

#[test]
fn reserved_asns() {
    for (asn, why) in [
        (0, "RFC 7607"),
        (23456, "AS_TRANS"),
        (65535, "RFC 7300"),
        (4294967295u32, "RFC 7300"),
    ] {
        let p = problems(&with_member(&format!("asn = {asn}\nname = \"X\"")));
        assert!(p.len() == 1 && p[0].contains(why), "{asn}: {p:?}");
    }
    let p = problems(&with_member("asn = 4294967296\nname = \"X\""));
    assert!(p[0].contains("out of range"), "{p:?}");
}

#[test]
fn address_outside_lan_or_taken() {
    let p = problems(&with_member(
        "asn = 64500\nname = \"X\"\nipv4 = [\"45.183.48.1\"]",
    ));
    assert_eq!(
        p,
        ["member AS64500 (X): ipv4: 45.183.48.1 is outside the peering LAN 45.183.47.0/24"]
    );
    let p = problems(&with_member(
        "asn = 64500\nname = \"X\"\nipv4 = [\"45.183.47.10\"]",
    ));
    assert_eq!(p, ["member AS64500 (X): ipv4: 45.183.47.10 is already taken by member AS64496 (Andes Fibra)"]);
    let p = problems(&with_member(
        "asn = 64500\nname = \"X\"\nipv6 = [\"2803:cd60:6411:5::1\"]",
    ));
    assert_eq!(
        p,
        ["member AS64500 (X): ipv6: 2803:cd60:6411:5::1 is already taken by route server rs1-v6"]
    );
    let p = problems(&with_member(
        "asn = 64500\nname = \"X\"\nipv4 = [\"2803:cd60:6411:5::99\"]",
    ));
    assert_eq!(
        p,
        ["member AS64500 (X): ipv4: 2803:cd60:6411:5::99 is not an IPv4 address"]
    );
    let p = problems(&with_member(
        "asn = 64500\nname = \"X\"\nipv4 = [\"45.183.47.255\", \"45.183.47.0\"]",
    ));
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p[0].contains("broadcast") && p[1].contains("network address"),
        "{p:?}"
    );
}

#[test]
fn emails_and_as_sets() {
    let p = problems(&with_member(
        "asn = 64500\nname = \"X\"\nas_set = \"EXAMPLE\"\n[member.contacts]\nnoc = \"noc.example.net\"\npeering = \"a@b\"\ntechnical = \"ok.name+tag@sub.example.net\"",
    ));
    assert_eq!(
        p,
        [
            "member AS64500 (X): as_set: \"EXAMPLE\" is not an AS-SET (AS-NAME, SOURCE::AS-NAME), route-set (RS-NAME) or ASnnn",
            "member AS64500 (X): contacts.noc: \"noc.example.net\" is not an e-mail address (no @)",
            "member AS64500 (X): contacts.peering: \"a@b\" is not an e-mail address (bad domain)",
        ]
    );
}

#[test]
fn route_servers_and_limits() {
    let text = EXAMPLE.replace(
        "addresses = [\"45.183.47.2\"]",
        "addresses = [\"45.183.47.1\"]",
    );
    let p = problems(&text);
    assert_eq!(
        p,
        ["route server rs2-v4: addresses: 45.183.47.1 is already taken by route server rs1-v4"]
    );
    let p = problems(&with_member("asn = 64500\nname = \"X\"\nmax_prefix_v4 = 0"));
    assert!(p[0].contains("max_prefix_v4: must be at least 1"), "{p:?}");
}

#[test]
fn syntax_errors_have_line_and_column() {
    let err = parse(
        Path::new("reg.toml"),
        &with_member("asn = 64500\nname = \"X\"\ncolour = \"blue\""),
    )
    .expect_err("unknown field");
    let s = err.to_string();
    assert!(
        s.starts_with("reg.toml:") && s.contains("unknown field `colour`"),
        "{s}"
    );
    let line: usize = s.split(':').nth(1).expect("line").parse().expect("number");
    assert_eq!(EXAMPLE.lines().count() + 5, line);
}
