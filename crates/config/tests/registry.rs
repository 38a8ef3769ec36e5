//! The `[registry]` table: neighbors from the member registry, errors naming
//! both sides of a duplicate, and the reload diff when the registry changes.

use condor_config::{diff, load, parse, to_canonical_toml, MaxPrefixAction};
use condor_registry::{secrets_path, Password, SecretFile};
use condor_wire::Asn;
use std::net::IpAddr;
use std::path::Path;

const REGISTRY: &str = include_str!("../../../examples/peru-ix-registry.toml");

const CONFIG: &str = r#"
[server]
name = "rs1-v4"
asn = 64115
router_id = "45.183.47.1"
listen = ["127.0.0.1:1179"]

[registry]
path = "registry.toml"
route_server = "rs1-v4"
ttl_security = 1
"#;

fn setup(dir: &Path, extra: &str) -> std::path::PathBuf {
    let reg = dir.join("registry.toml");
    std::fs::write(&reg, REGISTRY).expect("registry");
    let mut s = SecretFile::open(&secrets_path(&reg)).expect("secrets");
    s.store.set_md5(Asn(64496), Password::new("Andes-pw-64496"));
    s.save().expect("save secrets");
    let cfg = dir.join("rs1.toml");
    std::fs::write(&cfg, format!("{CONFIG}{extra}")).expect("config");
    cfg
}

fn addr(s: &str) -> IpAddr {
    s.parse().expect("address")
}

#[test]
fn neighbors_come_from_the_registry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = setup(
        dir.path(),
        "\n[[neighbor]]\nname = \"collector\"\naddress = \"45.183.47.200\"\nasn = 64510\ninternal = true\nas_set = \"AS-COLLECTOR\"\n",
    );
    let c = load(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<(IpAddr, u32, bool)> = c
        .neighbors
        .iter()
        .map(|n| (n.address, n.asn.0, n.from_registry))
        .collect();
    assert_eq!(
        got,
        [
            (addr("45.183.47.200"), 64510, false),
            (addr("45.183.47.10"), 64496, true),
            (addr("45.183.47.11"), 64497, true),
            (addr("45.183.47.20"), 65536, true),
        ]
    );
    let andes = c.neighbor(addr("45.183.47.10")).expect("andes");
    assert_eq!(andes.name, "Andes Fibra");
    assert_eq!(
        andes.password.as_ref().map(|p| p.expose()),
        Some("Andes-pw-64496")
    );
    assert_eq!(andes.as_set.as_deref(), Some("AS-ANDESFIBRA"));
    assert!(andes.passive);
    assert_eq!(andes.ttl_security, Some(1));
    let mp = andes.max_prefix.as_ref().expect("limit");
    assert_eq!(
        (mp.ipv4, mp.ipv6, mp.action),
        (Some(200), None, MaxPrefixAction::Shutdown)
    );
    assert_eq!(
        c.neighbor(addr("45.183.47.11")).expect("lima").password,
        None
    );
    assert_eq!(c.neighbors[0].as_set.as_deref(), Some("AS-COLLECTOR"));

    // The canonical form keeps the [registry] table, not its neighbors, and
    // no password; it parses back to the same neighbors.
    let printed = to_canonical_toml(&c);
    assert!(!printed.contains("Andes-pw-64496"));
    assert!(printed.contains("[registry]") && printed.contains("as_set = \"AS-COLLECTOR\""));
    assert_eq!(printed.matches("[[neighbor]]").count(), 1);
    let back =
        parse(&cfg.display().to_string(), &printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
    assert_eq!(back.neighbors.len(), 4);
}

#[test]
fn duplicate_address_names_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = setup(
        dir.path(),
        "\n[[neighbor]]\nname = \"by hand\"\naddress = \"45.183.47.11\"\nasn = 64497\n",
    );
    let err = load(&cfg).expect_err("duplicate").to_string();
    assert!(
        err.contains("registry: member AS64497 (Lima Cable) at 45.183.47.11 in ")
            && err.contains("is also [[neighbor]] by hand (AS64497)"),
        "{err}"
    );
    assert!(err.contains("rs1.toml:8:1:"), "{err}");
}

#[test]
fn bad_registry_or_route_server_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = setup(dir.path(), "");
    let text = std::fs::read_to_string(&cfg)
        .expect("read")
        .replace("route_server = \"rs1-v4\"", "route_server = \"rs9\"");
    std::fs::write(&cfg, text).expect("write");
    let err = load(&cfg).expect_err("no such rs").to_string();
    assert!(
        err.contains("registry.route_server:") && err.contains("no route server named \"rs9\""),
        "{err}"
    );
    std::fs::write(
        dir.path().join("registry.toml"),
        "[exchange]\nname = \"x\"\n[[member]]\nasn = 0\nname = \"zero\"\n",
    )
    .expect("write");
    let err = load(&cfg).expect_err("invalid registry").to_string();
    assert!(
        err.contains("registry.path:") && err.contains("ASN 0 is reserved"),
        "{err}"
    );
}

#[test]
fn reload_diff_follows_the_registry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = setup(dir.path(), "");
    let before = load(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let reg = dir.path().join("registry.toml");
    let mut m = condor_registry::Member::new(Asn(64500), "Cusco Net");
    m.ipv4 = vec![addr("45.183.47.40")];
    let mut f = condor_registry::RegistryFile::open(&reg).expect("open");
    f.registry.members.push(m);
    f.registry.members.retain(|m| m.asn != Asn(64497));
    f.save().expect("save");
    drop(f);
    let after = load(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let d = diff(&before, &after);
    assert_eq!(d.added, [addr("45.183.47.40")]);
    assert_eq!(d.removed, [addr("45.183.47.11")]);
    assert!(d.changed.is_empty() && d.server_fields.is_empty(), "{d:?}");
    // A new password is a key change for that neighbor only.
    condor_registry::rotate_password(&reg, Asn(64496)).expect("rotate");
    let rotated = load(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let d = diff(&after, &rotated);
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.changed[0].address, addr("45.183.47.10"));
    assert_eq!(d.changed[0].fields, ["password"]);
}
