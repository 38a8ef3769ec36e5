//! Rate limiting per client address: a token bucket each (`burst` tokens,
//! refilled at `rate` per second); a request without a token gets HTTP 429
//! with `Retry-After`. The table of buckets is pruned of full (idle)
//! buckets when it grows, so it stays bounded by the active clients.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Buckets kept before idle ones are pruned.
const PRUNE_AT: usize = 10_000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets per client address.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// `rate` tokens per second, at most `burst` saved.
    pub fn new(rate: f64, burst: f64) -> RateLimiter {
        RateLimiter {
            rate: rate.max(0.001),
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `ip` at `now`; `Err(seconds)` until one is available.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), f64> {
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= PRUNE_AT && !map.contains_key(&ip) {
            let (rate, burst) = (self.rate, self.burst);
            map.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst
            });
        }
        let b = map.entry(ip).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.rate).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err((1.0 - b.tokens) / self.rate)
        }
    }
}

/// The middleware: 429 when the client's bucket is empty.
pub async fn limit(
    State(limiter): State<Arc<RateLimiter>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    match limiter.check(peer.ip(), Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(
                header::RETRY_AFTER,
                format!("{}", wait.ceil().max(1.0) as u64),
            )],
            "too many requests\n",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_refills_at_rate() {
        let l = RateLimiter::new(2.0, 3.0);
        let a: IpAddr = "127.0.0.9".parse().unwrap();
        let b: IpAddr = "::1".parse().unwrap();
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check(a, t).is_ok());
        }
        let wait = l.check(a, t).unwrap_err();
        assert!((wait - 0.5).abs() < 1e-9, "{wait}");
        // Another client has its own bucket.
        assert!(l.check(b, t).is_ok());
        // Half a second later: one token back, not two.
        let t2 = t + Duration::from_millis(500);
        assert!(l.check(a, t2).is_ok());
        assert!(l.check(a, t2).is_err());
        // Never more than the burst saved.
        let t3 = t2 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(l.check(a, t3).is_ok());
        }
        assert!(l.check(a, t3).is_err());
    }
}
