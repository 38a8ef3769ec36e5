//! Fuzz target: one BGP message through framing and decoding.
//!
//! The first input byte chooses the codec context (so one corpus covers
//! every negotiated combination); the rest is the receive buffer:
//!
//! | bit  | context field                                        |
//! |------|------------------------------------------------------|
//! | 0    | `four_octet_as` (RFC 6793)                           |
//! | 1    | `extended_messages` (RFC 8654)                       |
//! | 2..5 | `add_path_rx`, one bit per family (RFC 7911)         |
//! | 6    | `collector` (decoding a capture, keep all attributes) |
//!
//! Checked: nothing panics; `frame_length` and `decode_message` agree on
//! header errors; an UPDATE that decodes re-encodes (for a receiver with
//! the same context) and decodes again to an equal value: the whole UPDATE
//! when it was clean or had attributes discarded, its routes when RFC 7606
//! made it treat-as-withdraw.

#![no_main]

use condor_wire::{decode_message, frame_length, Context, Message};
use libfuzzer_sys::fuzz_target;

fn context(flags: u8) -> Context {
    Context {
        four_octet_as: flags & 0x01 != 0,
        extended_messages: flags & 0x02 != 0,
        add_path_rx: (flags >> 2) & 0x0f,
        add_path_tx: 0,
        collector: flags & 0x40 != 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, buf)) = data.split_first() else {
        return;
    };
    let ctx = context(flags);

    // The whole buffer as one message: must not panic whatever it holds.
    let whole = decode_message(buf, &ctx);

    let len = match frame_length(buf, &ctx) {
        Ok(Some(len)) => len,
        Ok(None) => {
            assert!(
                whole.is_err(),
                "decoded a message frame_length calls incomplete"
            );
            return;
        }
        Err(_) => {
            assert!(whole.is_err(), "decoded a message frame_length rejects");
            return;
        }
    };
    assert!(
        len <= buf.len(),
        "frame_length {len} beyond the {} octets given",
        buf.len()
    );
    if len != buf.len() {
        assert!(
            whole.is_err(),
            "decoded a buffer holding more than one message"
        );
    }

    let Ok(Message::Update(update)) = decode_message(&buf[..len], &ctx) else {
        return;
    };
    // The encoder takes the receiver's context: the one we decoded with.
    let bytes = match Message::Update(update.clone()).to_bytes(&ctx) {
        Ok(bytes) => bytes,
        Err(e) => panic!("decoded UPDATE does not re-encode: {e}"),
    };
    let again = match decode_message(&bytes, &ctx) {
        Ok(Message::Update(again)) => again,
        Ok(other) => panic!("re-encoded UPDATE decodes as {other:?}"),
        Err(e) => panic!("re-encoded UPDATE does not decode: {e}"),
    };
    // RFC 7606 problems were found in the original octets. After attribute
    // discard, what the decoder kept must re-encode to the same UPDATE. After
    // treat-as-withdraw the attributes no longer matter (RFC 7606 §2): the
    // routes must survive, the attribute block need not be byte-identical.
    let mut expected = update;
    let mut got = again;
    if expected.treat_as_withdraw() {
        assert_eq!(
            got.withdrawn, expected.withdrawn,
            "withdrawn routes changed in a round trip"
        );
        assert_eq!(got.nlri, expected.nlri, "NLRI changed in a round trip");
        let mp = |u: &condor_wire::Update| {
            let reach = u.mp_reach.as_ref().map(|m| (m.family, m.nlri.clone()));
            let unreach = u.mp_unreach.as_ref().map(|m| (m.family, m.nlri.clone()));
            (reach, unreach)
        };
        assert_eq!(mp(&got), mp(&expected), "MP NLRI changed in a round trip");
    } else {
        expected.problems.clear();
        assert!(
            got.problems.is_empty(),
            "re-encoded UPDATE has problems: {:?}",
            got.problems
        );
        got.problems.clear();
        assert_eq!(got, expected, "UPDATE changed in a round trip");
    }
});
