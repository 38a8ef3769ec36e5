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
//! header errors; the borrowed decoder (`decode_message_ref`) reaches the
//! same outcome as the owned one (same error, or a view whose owned form is
//! the same UPDATE, with the same routes); an UPDATE that decodes
//! re-encodes (for a receiver with the same context) and decodes again to
//! an equal value: the whole UPDATE when it was clean or had attributes
//! discarded, its routes when RFC 7606 made it treat-as-withdraw.
//!
//! "Equal" compares the attribute block without MP_REACH_NLRI and
//! MP_UNREACH_NLRI (only their flags and position must be kept): the
//! encoder writes those two from their parsed form, so a prefix received
//! with host bits set beyond its length (RFC 4271 §4.3 makes them
//! irrelevant; the decoder clears them) is re-sent in canonical form, while
//! the decoded block keeps the octets as received. Their parsed form —
//! family, next hop, reserved octet, NLRI — is compared exactly.

#![no_main]

use condor_wire::attr::types::{MP_REACH_NLRI, MP_UNREACH_NLRI};
use condor_wire::{
    decode_message, decode_message_ref, frame_length, Context, Message, MessageRef, PathAttributes,
    Update,
};
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

/// The attribute block less the MP attributes, which the encoder rewrites
/// from their parsed form.
fn without_mp(a: &PathAttributes) -> PathAttributes {
    a.without(|t| t == MP_REACH_NLRI || t == MP_UNREACH_NLRI)
}

/// (flags, type) of every attribute in block order.
fn layout(a: &PathAttributes) -> Vec<(u8, u8)> {
    a.iter().map(|x| (x.flags, x.type_code)).collect()
}

/// The borrowed decoder must reach the outcome of the owned one.
fn check_borrowed(buf: &[u8], ctx: &Context, owned: &Result<Message, condor_wire::MessageError>) {
    let view = decode_message_ref(buf, ctx);
    match (owned, &view) {
        (Ok(Message::Update(u)), Ok(MessageRef::Update(v))) => {
            assert_eq!(
                &v.to_update(),
                u,
                "borrowed view differs from the owned UPDATE"
            );
            assert!(
                v.announced().eq(u.announced().copied()),
                "borrowed view announces other routes"
            );
            assert!(
                v.withdrawals().eq(u.withdrawals().copied()),
                "borrowed view withdraws other routes"
            );
            assert_eq!(v.attrs().raw(), u.attrs.raw());
            assert_eq!(v.treat_as_withdraw(), u.treat_as_withdraw());
            assert_eq!(v.end_of_rib(), u.end_of_rib());
        }
        (Ok(m), Ok(v)) => assert_eq!(
            m.message_type(),
            v.message_type(),
            "borrowed decode of another type"
        ),
        (Err(e), Err(f)) => assert_eq!(e, f, "borrowed decode fails differently"),
        (o, v) => panic!("owned decode {o:?} but borrowed {v:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, buf)) = data.split_first() else {
        return;
    };
    let ctx = context(flags);

    // The whole buffer as one message: must not panic whatever it holds.
    let whole = decode_message(buf, &ctx);
    check_borrowed(buf, &ctx, &whole);

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
        assert_eq!(
            layout(&got.attrs),
            layout(&expected.attrs),
            "attribute order or flags changed in a round trip"
        );
        assert_eq!(
            without_mp(&got.attrs),
            without_mp(&expected.attrs),
            "attributes changed in a round trip"
        );
        // The rest, MP attributes in parsed form included, exactly.
        let rest = |u: Update| Update {
            attrs: PathAttributes::default(),
            ..u
        };
        assert_eq!(rest(got), rest(expected), "UPDATE changed in a round trip");
    }
});
