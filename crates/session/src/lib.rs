//! # condor-session
//!
//! The protocol logic of one BGP session, free of I/O:
//!
//! * [`fsm`]: the finite state machine of RFC 4271 §8 — [`Fsm::step`] turns
//!   an [`Input`] (an RFC event) into [`Action`]s for a driver to perform;
//! * [`negotiate()`]: OPEN message checking (RFC 4271 §6.2, RFC 6286, RFC
//!   9234, RFC 5492) and OPEN × OPEN → [`Negotiated`], which carries the
//!   codec [`condor_wire::Context`] of the session;
//! * [`collision`]: connection collision detection (RFC 4271 §6.8, RFC 6286
//!   §2.3);
//! * [`idle_hold`]: peer oscillation damping (the IdleHoldTimer back-off).
//!
//! Sockets (TCP-MD5, TCP-AO, GTSM) are in [`socket`]. A thin tokio driver
//! owns them and the timers, performs the actions and feeds events back.
//!
//! ```
//! use condor_session::{Action, Fsm, FsmConfig, Input, PeerPolicy, State};
//! use condor_wire::Asn;
//! use std::time::Duration;
//!
//! let policy = PeerPolicy::route_server(Asn(64500), "192.0.2.1".parse().unwrap(), Asn(64511));
//! let mut fsm = Fsm::new(FsmConfig::default(), policy).unwrap();
//! let actions = fsm.step(Duration::ZERO, Input::ManualStart);
//! assert!(actions.contains(&Action::Connect));
//! assert_eq!(fsm.state(), State::Connect);
//! ```

pub mod action;
pub mod collision;
pub mod driver;
pub mod event;
pub mod fsm;
pub mod idle_hold;
pub mod negotiate;
pub mod policy;
pub mod socket;
pub mod state;
pub mod timer;

pub use action::{Action, Outgoing, Reason, Transition};
pub use collision::{Collision, Direction, Resolution};
pub use event::{Event, Input};
pub use fsm::{Fsm, FsmConfig, FsmConfigError};
pub use idle_hold::IdleHold;
pub use negotiate::{negotiate, Negotiated, PeerGracefulRestart};
pub use policy::{PeerPolicy, PolicyError};
pub use state::State;
pub use timer::Timer;
