//! TCP-MD5 passwords (RFC 2385) for members' route-server sessions:
//! generated from the operating system's CSPRNG (`getrandom(2)`) and drawn
//! uniformly (rejection sampling) from an alphabet every router vendor takes
//! unquoted and unescaped in its configuration language.
//!
//! The alphabet ([`ALPHABET`]) is the ASCII letters and digits without the
//! look-alikes `0 O o 1 l I` (passwords are read aloud and retyped), plus
//! `- _ . + =`. Left out on purpose: space and tab (argument separators
//! everywhere), `"` `'` `` ` `` (quoting in Junos, IOS-XR, SR OS, BIRD,
//! RouterOS), `\` (escape), `#` (comment in SR OS, FRR, BIRD), `!` (comment
//! in IOS/FRR), `?` (context help in IOS, IOS-XR, Junos, SR OS, RouterOS),
//! `$` (variables in RouterOS, Junos encrypted-string marker `$9$`), `;` `{`
//! `}` (Junos and BIRD syntax), `|` `<` `>` `&` `*` `~` `^` `[` `]` `(` `)`
//! `%` `@` `,` `/` `:` (shell, pipes, globbing and vendor CLI specials).
//! 61 symbols × 24 characters ≈ 142 bits of entropy; TCP-MD5 keys may be 80
//! octets long, Cisco IOS accepts 25 characters at most, so 24 fits all.

use std::fmt;

/// The characters passwords are made of (see the module documentation).
pub const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789-_.+=";

/// Length of generated passwords.
pub const LENGTH: usize = 24;

/// A password; `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password read from the secret store.
    pub fn new(s: impl Into<String>) -> Password {
        Password(s.into())
    }

    /// The password itself, only where it is used (session keys, the e-mail).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A fresh random password of [`LENGTH`] characters from [`ALPHABET`].
    pub fn generate() -> Result<Password, getrandom::Error> {
        // Rejection sampling: bytes ≥ the largest multiple of the alphabet
        // size would bias the first symbols; draw again instead.
        let n = ALPHABET.len();
        let limit = 256 - 256 % n;
        let mut out = String::with_capacity(LENGTH);
        let mut buf = [0u8; 64];
        while out.len() < LENGTH {
            getrandom::fill(&mut buf)?;
            for &b in &buf {
                if (b as usize) < limit && out.len() < LENGTH {
                    out.push(ALPHABET[b as usize % n] as char);
                }
            }
        }
        Ok(Password(out))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn length_charset_and_uniqueness() {
        let mut seen = HashSet::new();
        let mut used = HashSet::new();
        for _ in 0..2000 {
            let p = Password::generate().expect("getrandom");
            let s = p.expose();
            assert_eq!(s.len(), LENGTH);
            assert!(s.bytes().all(|b| ALPHABET.contains(&b)), "{s}");
            used.extend(s.bytes());
            assert!(seen.insert(s.to_string()), "duplicate password");
        }
        // 48 000 draws from 61 symbols: every symbol shows up.
        assert_eq!(used.len(), ALPHABET.len());
    }

    #[test]
    fn alphabet_has_no_vendor_specials() {
        for c in b" \t\"'`\\#!?$;{}|<>&*~^[]()%@,/:0O1lIo" {
            assert!(!ALPHABET.contains(c), "{}", *c as char);
        }
        let unique: HashSet<_> = ALPHABET.iter().collect();
        assert_eq!(unique.len(), ALPHABET.len());
        assert_eq!(ALPHABET.len(), 61);
    }

    #[test]
    fn never_printed() {
        let p = Password::new("Zq9-very-secret");
        assert!(!format!("{p} {p:?} {p:#?}").contains("Zq9"));
    }
}
