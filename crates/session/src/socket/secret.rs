//! The TCP key secret: the password of a TCP-MD5 (RFC 2385) key or the
//! master key of a TCP-AO (RFC 5925 §3.1) MKT.
//!
//! The value never leaves this type by accident: `Debug` and `Display`
//! print `<redacted>`, errors about it carry only its length, and its bytes
//! are overwritten when it is dropped. The kernel limits both kinds of key
//! to 80 octets (`TCP_MD5SIG_MAXKEYLEN`, `TCP_AO_MAXKEYLEN`).

use std::fmt;
use std::str::FromStr;

use super::sys;

/// The longest key the kernel accepts, in octets (`TCP_MD5SIG_MAXKEYLEN`
/// and `TCP_AO_MAXKEYLEN` in linux/tcp.h are both 80).
pub const MAX_KEY_LEN: usize = sys::TCP_MD5SIG_MAXKEYLEN;

const _: () = assert!(sys::TCP_MD5SIG_MAXKEYLEN == sys::TCP_AO_MAXKEYLEN);

/// Why a byte string cannot be a TCP key. Never contains the key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// An empty key: to the kernel, key length 0 means "delete the key".
    #[error("TCP key is empty; remove the key instead of setting an empty one")]
    Empty,
    /// Longer than [`MAX_KEY_LEN`].
    #[error("TCP key is {len} octets long; the kernel allows at most {MAX_KEY_LEN} (TCP_MD5SIG_MAXKEYLEN)")]
    TooLong {
        /// Length of the rejected key in octets.
        len: usize,
    },
}

/// A TCP-MD5 password or TCP-AO master key: 1 to 80 octets, redacted in
/// every `Debug`/`Display` output and wiped from memory on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

/// The RFC 2385 password type; the same validated, redacted [`Secret`].
pub type Md5Key = Secret;

impl Secret {
    /// Validates `bytes` as a key (1..=80 octets).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, SecretError> {
        let mut bytes = bytes.into();
        let len = bytes.len();
        if len == 0 {
            return Err(SecretError::Empty);
        }
        if len > MAX_KEY_LEN {
            sys::wipe(&mut bytes);
            return Err(SecretError::TooLong { len });
        }
        Ok(Self(bytes))
    }

    /// The key octets, for handing to the kernel. The name is meant to
    /// stand out in review: nothing else should read them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in octets (1..=80).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: an empty secret cannot be built. Provided for API
    /// symmetry with [`Secret::len`].
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for Secret {
    type Err = SecretError;

    /// The UTF-8 octets of `s`, as routers take the MD5 password from their
    /// configuration.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s.as_bytes())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        sys::wipe(&mut self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_secret_debug_and_display_redact() {
        let s: Secret = "correct horse battery staple".parse().expect("valid");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert!(!format!("{s:#?}").contains("horse"));
        assert_eq!(s.expose(), b"correct horse battery staple");
        assert_eq!(s.len(), 28);
        assert!(!s.is_empty());
    }

    #[test]
    fn socket_secret_length_limits() {
        assert_eq!(Secret::new(Vec::new()), Err(SecretError::Empty));
        assert!(Secret::new(vec![b'a'; MAX_KEY_LEN]).is_ok());
        assert_eq!(
            Secret::new(vec![b'a'; MAX_KEY_LEN + 1]),
            Err(SecretError::TooLong { len: 81 })
        );
        assert_eq!(MAX_KEY_LEN, 80);
    }

    #[test]
    fn socket_secret_errors_do_not_echo_the_key() {
        let long = "s3cr3t-".repeat(12);
        let err = long.parse::<Secret>().expect_err("84 octets is too long");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("84"), "{shown}");
    }
}
