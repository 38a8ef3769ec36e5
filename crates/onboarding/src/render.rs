//! The welcome e-mail and the router configuration snippets, rendered with
//! minijinja from templates: defaults built in (English and Spanish, seven
//! router platforms), each replaceable by a file of the same name in the
//! operator's template directory. The password is in the rendered text
//! only; nothing here logs or stores it.

use crate::error::{OnboardError, Result};
use condor_registry::{Member, Password, Registry};
use minijinja::{context, Environment};
use serde::Serialize;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// A router platform with a configuration snippet template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Platform {
    /// Short name (`--platform`), also the template's file name.
    pub name: &'static str,
    /// Title in the e-mail.
    pub title: &'static str,
}

/// Every platform, in the order the e-mail shows them.
pub const PLATFORMS: [Platform; 7] = [
    Platform {
        name: "ios-xr",
        title: "Cisco IOS-XR",
    },
    Platform {
        name: "ios",
        title: "Cisco IOS / IOS-XE",
    },
    Platform {
        name: "junos",
        title: "Juniper Junos",
    },
    Platform {
        name: "sros",
        title: "Nokia SR OS (MD-CLI)",
    },
    Platform {
        name: "routeros",
        title: "MikroTik RouterOS 7",
    },
    Platform {
        name: "bird2",
        title: "BIRD 2",
    },
    Platform {
        name: "frr",
        title: "FRR",
    },
];

/// Languages of the welcome e-mail.
pub const LANGUAGES: [&str; 2] = ["en", "es"];

const DEFAULTS: [(&str, &str); 10] = [
    (
        "peering.en.txt",
        include_str!("../templates/peering.en.txt"),
    ),
    (
        "welcome.en.txt",
        include_str!("../templates/welcome.en.txt"),
    ),
    (
        "welcome.es.txt",
        include_str!("../templates/welcome.es.txt"),
    ),
    (
        "router/ios-xr.txt",
        include_str!("../templates/router/ios-xr.txt"),
    ),
    (
        "router/ios.txt",
        include_str!("../templates/router/ios.txt"),
    ),
    (
        "router/junos.txt",
        include_str!("../templates/router/junos.txt"),
    ),
    (
        "router/sros.txt",
        include_str!("../templates/router/sros.txt"),
    ),
    (
        "router/routeros.txt",
        include_str!("../templates/router/routeros.txt"),
    ),
    (
        "router/bird2.txt",
        include_str!("../templates/router/bird2.txt"),
    ),
    (
        "router/frr.txt",
        include_str!("../templates/router/frr.txt"),
    ),
];

/// One session of the member with a route server, as templates see it.
#[derive(Clone, Debug, Serialize)]
pub struct SessionView {
    /// Route server's name.
    pub rs_name: String,
    /// Route server's ASN.
    pub rs_asn: u32,
    /// Route server's address.
    pub rs_address: IpAddr,
    /// The member's address of the same family.
    pub local_address: IpAddr,
    /// `ipv4` or `ipv6`.
    pub family: &'static str,
    /// `EXCHANGE NAME`: ASCII, for descriptions.
    pub description: String,
    /// An identifier (`peru_ix_rs1_v4`) for protocol or connection names.
    pub ident: String,
}

/// A rendered e-mail.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Body (plain text, UTF-8). Holds the password.
    pub body: String,
    /// The template used (`welcome.en.txt`).
    pub template: String,
}

/// The templates: built-in defaults, overridden by files in `dir`.
pub struct Templates {
    env: Environment<'static>,
}

/// ASCII letters, digits and `_`, for identifiers and descriptions.
pub fn ascii_ident(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = match c {
            'á' | 'à' | 'ä' | 'â' | 'Á' => 'a',
            'é' | 'è' | 'ë' | 'ê' | 'É' => 'e',
            'í' | 'ì' | 'ï' | 'î' | 'Í' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'Ó' => 'o',
            'ú' | 'ù' | 'ü' | 'û' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => '_',
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    out.trim_matches('_').to_string()
}

impl Templates {
    /// The defaults, each replaced by `dir/NAME` when that file exists.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let mut env = Environment::new();
        env.set_keep_trailing_newline(false);
        for (name, text) in DEFAULTS {
            let text = match dir.map(|d| d.join(name)) {
                Some(p) if p.exists() => {
                    std::fs::read_to_string(&p).map_err(|e| OnboardError::Io {
                        path: p.clone(),
                        cause: e,
                    })?
                }
                _ => text.to_string(),
            };
            env.add_template_owned(name.to_string(), text)
                .map_err(|e| OnboardError::Template(format!("{name}: {e}")))?;
        }
        Ok(Templates { env })
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| OnboardError::Template(format!("{name}: {e}")))
    }
}

/// The sessions of `member` with every route server of the registry.
pub fn sessions(reg: &Registry, member: &Member) -> Vec<SessionView> {
    let ex = ascii_ident(&reg.exchange.name);
    let mut out = Vec::new();
    for rs in &reg.exchange.route_servers {
        for &a in &rs.addresses {
            let local = if a.is_ipv4() {
                member.ipv4.first()
            } else {
                member.ipv6.first()
            };
            let Some(&local) = local else { continue };
            let ident = ascii_ident(&format!("{ex}_{}", rs.name));
            out.push(SessionView {
                rs_name: rs.name.clone(),
                rs_asn: rs.asn.0,
                rs_address: a,
                local_address: local,
                family: if a.is_ipv4() { "ipv4" } else { "ipv6" },
                description: format!("{} {}", ex.replace('_', "-"), rs.name),
                ident: if rs.addresses.len() > 1 {
                    format!("{ident}_{}", if a.is_ipv4() { 4 } else { 6 })
                } else {
                    ident
                },
            });
        }
    }
    out
}

fn snippet_context(reg: &Registry, member: &Member, password: &Password) -> minijinja::Value {
    let sessions = sessions(reg, member);
    let mut families: Vec<&str> = Vec::new();
    for s in &sessions {
        if !families.contains(&s.family) {
            families.push(s.family);
        }
    }
    let rs_asn = reg.exchange.route_servers.first().map_or(0, |r| r.asn.0);
    let route_servers: Vec<minijinja::Value> = reg
        .exchange
        .route_servers
        .iter()
        .map(|r| {
            context! {
                name => r.name,
                asn => r.asn.0,
                addresses => r.addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            }
        })
        .collect();
    context! {
        exchange => reg.exchange.name,
        prefix => ascii_ident(&reg.exchange.name).to_ascii_uppercase().replace('_', "-") + "-RS",
        member => context! {
            asn => member.asn.0,
            name => member.name,
            ipv4 => member.ipv4.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            ipv6 => member.ipv6.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        },
        sessions => sessions,
        families => families,
        password => password.expose(),
        rs_asn => rs_asn,
        route_servers => route_servers,
        max_prefix_v4 => member.max_prefix_v4,
        max_prefix_v6 => member.max_prefix_v6,
    }
}

impl Templates {
    /// The configuration snippet of one platform.
    pub fn snippet(
        &self,
        platform: &Platform,
        reg: &Registry,
        member: &Member,
        password: &Password,
    ) -> Result<String> {
        self.render(
            &format!("router/{}.txt", platform.name),
            snippet_context(reg, member, password),
        )
    }

    /// The welcome e-mail in `lang` with the snippets of `platforms`.
    pub fn welcome(
        &self,
        lang: &str,
        platforms: &[Platform],
        reg: &Registry,
        member: &Member,
        password: &Password,
    ) -> Result<Rendered> {
        if !LANGUAGES.contains(&lang) {
            return Err(OnboardError::Template(format!(
                "no welcome e-mail in language {lang:?} (en, es)"
            )));
        }
        let mut snippets = Vec::new();
        for p in platforms {
            snippets.push(
                context! { title => p.title, snippet => self.snippet(p, reg, member, password)? },
            );
        }
        let mut ctx = snippet_context(reg, member, password);
        ctx = context! { platforms => snippets, ..ctx };
        let template = format!("welcome.{lang}.txt");
        let text = self.render(&template, ctx)?;
        split_subject(&template, &text)
    }

    /// Renders any template by name with `ctx` (peering requests).
    pub fn render_named(&self, name: &str, ctx: minijinja::Value) -> Result<Rendered> {
        let text = self.render(name, ctx)?;
        split_subject(name, &text)
    }
}

fn split_subject(template: &str, text: &str) -> Result<Rendered> {
    let (first, body) = text.split_once('\n').unwrap_or((text, ""));
    let subject = first.strip_prefix("Subject: ").ok_or_else(|| {
        OnboardError::Template(format!(
            "{template}: the first line must be \"Subject: ...\""
        ))
    })?;
    Ok(Rendered {
        subject: subject.trim().to_string(),
        body: body.trim_start_matches('\n').to_string() + "\n",
        template: template.to_string(),
    })
}

/// The platform with this name.
pub fn platform(name: &str) -> Option<Platform> {
    PLATFORMS.iter().copied().find(|p| p.name == name)
}

/// Where an operator's template directory would be by default: beside the
/// registry, `templates/`.
pub fn default_template_dir(registry: &Path) -> PathBuf {
    registry.with_file_name("templates")
}
