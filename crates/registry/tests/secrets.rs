//! The secret store: created 0600, refused when readable by others, and the
//! route-server sessions read their passwords from it.

use condor_registry::{
    parse, route_server_sessions, secrets_path, Password, RegistryError, SecretFile, SecretStore,
};
use condor_wire::Asn;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const EXAMPLE: &str = include_str!("../../../examples/peru-ix-registry.toml");

#[test]
fn created_0600_and_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = secrets_path(&dir.path().join("registry.toml"));
    assert!(path.ends_with("registry.secrets.toml"));
    let mut f = SecretFile::open(&path).expect("open");
    let p = Password::generate().expect("random");
    f.store.set_md5(Asn(64496), p.clone());
    f.save().expect("save");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    drop(f);
    let store = SecretStore::load(&path).expect("load");
    assert_eq!(store.md5(Asn(64496)), Some(&p));
    assert!(!format!("{store:?}").contains(p.expose()));
    // A second save keeps a backup, 0600 as well.
    let mut f = SecretFile::open(&path).expect("open");
    f.store
        .set_md5(Asn(64497), Password::generate().expect("random"));
    f.save().expect("save");
    let bak = condor_registry::backup_path(&path);
    assert_eq!(
        std::fs::metadata(&bak).expect("bak").permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn readable_by_others_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.secrets.toml");
    std::fs::write(&path, "[md5]\n64496 = \"abc\"\n").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let err = SecretStore::load(&path).expect_err("0644");
    assert!(
        matches!(err, RegistryError::SecretsPermissions { mode: 0o644, .. }),
        "{err}"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    assert_eq!(SecretStore::load(&path).expect("0600").len(), 1);
}

#[test]
fn bad_store_error_does_not_quote_the_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.secrets.toml");
    std::fs::write(&path, "[md5]\n64496 = \"Sup3rSecretValue\n").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let err = SecretStore::load(&path).expect_err("unterminated");
    assert!(!format!("{err} {err:?}").contains("Sup3rSecretValue"));
}

#[test]
fn sessions_for_one_route_server() {
    let reg = parse(Path::new("r.toml"), EXAMPLE).expect("example");
    let mut store = SecretStore::default();
    store.set_md5(Asn(64496), Password::new("pw-64496"));
    let v4 = route_server_sessions(&reg, "rs1-v4", &store).expect("rs1-v4");
    let got: Vec<(String, u32, Option<u32>)> = v4
        .iter()
        .map(|s| (s.address.to_string(), s.asn.0, s.max_prefix))
        .collect();
    // Amazonas Tránsito does not take part in the route servers.
    assert_eq!(
        got,
        [
            ("45.183.47.10".into(), 64496, Some(200)),
            ("45.183.47.11".into(), 64497, Some(1000)),
            ("45.183.47.20".into(), 65536, Some(20)),
        ]
    );
    assert_eq!(
        v4[0].password.as_ref().map(|p| p.expose()),
        Some("pw-64496")
    );
    assert_eq!(v4[1].password, None);
    assert_eq!(v4[1].as_set.as_deref(), Some("RIPE::AS-LIMACABLE"));
    let v6 = route_server_sessions(&reg, "rs2-v6", &store).expect("rs2-v6");
    assert_eq!(v6.len(), 3);
    assert_eq!(v6[0].max_prefix, Some(50));
    assert!(matches!(
        route_server_sessions(&reg, "rs9", &store),
        Err(RegistryError::NoRouteServer(_))
    ));
}
