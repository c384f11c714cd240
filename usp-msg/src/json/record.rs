//! The JSON form of `usp_record::Record` (`usp-record.proto`).

use std::borrow::Cow;

use bytes::Bytes;
use serde_json::Value;
use usp_record::{
    Disconnect, MqttConnect, MqttVersion, PayloadSecurity, Record, RecordError, RecordKind,
    SarState, SessionContext, StompConnect, StompVersion,
};
use usp_types::{EndpointId, ErrorCode, UspVersion};

use super::JsonOptions;
use super::error::{JsonError, JsonErrorKind, Path};
use super::value::{self, Out};

const RECORD_FIELDS: &[&str] = &[
    "version",
    "to_id",
    "from_id",
    "payload_security",
    "mac_signature",
    "sender_cert",
    "no_session_context",
    "session_context",
    "websocket_connect",
    "mqtt_connect",
    "stomp_connect",
    "disconnect",
    "uds_connect",
    "originator_id",
    "destination_id",
];

/// Members of the `record_type` oneof, as indexes of `RECORD_FIELDS`.
const RECORD_TYPE: std::ops::Range<usize> = 6..13;

type Members<'s> = Vec<(Cow<'s, str>, Out<'s>)>;

fn push<'s>(members: &mut Members<'s>, name: &'static str, value: Out<'s>, o: &JsonOptions) {
    members.push((value::key(name, o), value));
}

fn push_str<'s>(members: &mut Members<'s>, name: &'static str, s: &'s str, o: &JsonOptions) {
    if !s.is_empty() {
        push(members, name, Out::Str(Cow::Borrowed(s)), o);
    }
}

fn push_bytes(members: &mut Members<'_>, name: &'static str, b: &[u8], o: &JsonOptions) {
    if !b.is_empty() {
        push(members, name, Out::Str(value::base64_encode(b).into()), o);
    }
}

fn push_u64(members: &mut Members<'_>, name: &'static str, n: u64, o: &JsonOptions) {
    // proto3 JSON writes 64-bit integers as strings.
    if n != 0 {
        push(members, name, Out::Str(n.to_string().into()), o);
    }
}

fn push_enum(
    members: &mut Members<'_>,
    name: &'static str,
    n: i32,
    s: &'static str,
    o: &JsonOptions,
) {
    if n != 0 {
        push(members, name, Out::Str(s.into()), o);
    }
}

pub(crate) fn record_to_out<'s>(record: &'s Record, o: &JsonOptions) -> Out<'s> {
    let mut m = Members::new();
    push(
        &mut m,
        "version",
        Out::Str(record.version().to_string().into()),
        o,
    );
    push_str(&mut m, "to_id", record.to_id().as_str(), o);
    push_str(&mut m, "from_id", record.from_id().as_str(), o);
    let security = record.payload_security();
    push_enum(
        &mut m,
        "payload_security",
        security.as_i32(),
        security.as_str(),
        o,
    );
    push_bytes(&mut m, "mac_signature", record.mac_signature(), o);
    push_bytes(&mut m, "sender_cert", record.sender_cert(), o);
    let mut k = Members::new();
    match record.kind() {
        RecordKind::NoSessionContext { payload } => push_bytes(&mut k, "payload", payload, o),
        RecordKind::SessionContext(ctx) => {
            push_u64(&mut k, "session_id", ctx.session_id(), o);
            push_u64(&mut k, "sequence_id", ctx.sequence_id(), o);
            push_u64(&mut k, "expected_id", ctx.expected_id(), o);
            push_u64(&mut k, "retransmit_id", ctx.retransmit_id(), o);
            let (sar, rec) = (ctx.payload_sar_state(), ctx.payloadrec_sar_state());
            push_enum(&mut k, "payload_sar_state", sar.as_i32(), sar.as_str(), o);
            push_enum(
                &mut k,
                "payloadrec_sar_state",
                rec.as_i32(),
                rec.as_str(),
                o,
            );
            if ctx.payload().len() > 0 {
                let pieces = ctx
                    .payload()
                    .map(|p| Out::Str(value::base64_encode(&p).into()))
                    .collect();
                push(&mut k, "payload", Out::Arr(pieces), o);
            }
        }
        RecordKind::MqttConnect(c) => {
            let v = c.version();
            push_enum(&mut k, "version", v.as_i32(), v.as_str(), o);
            push_str(&mut k, "subscribed_topic", c.subscribed_topic(), o);
        }
        RecordKind::StompConnect(c) => {
            let v = c.version();
            push_enum(&mut k, "version", v.as_i32(), v.as_str(), o);
            push_str(
                &mut k,
                "subscribed_destination",
                c.subscribed_destination(),
                o,
            );
        }
        RecordKind::Disconnect(d) => {
            push_str(&mut k, "reason", d.reason(), o);
            if d.reason_code().get() != 0 {
                push(
                    &mut k,
                    "reason_code",
                    Out::U64(d.reason_code().get().into()),
                    o,
                );
            }
        }
        // WebSocketConnect, UdsConnect, and kinds a later version may add: no field.
        _ => {}
    }
    push(&mut m, record.kind().name(), Out::Obj(k), o);
    if let Some(id) = record.originator_id() {
        push_str(&mut m, "originator_id", id.as_str(), o);
    }
    if let Some(id) = record.destination_id() {
        push_str(&mut m, "destination_id", id.as_str(), o);
    }
    Out::Obj(m)
}

fn record_err(path: &Path<'_>, e: RecordError) -> JsonError {
    path.err(JsonErrorKind::Record(e))
}

/// A closed enumeration of the Record schema: a name or a defined number. `Ok(None)` for
/// an unknown name when unknown fields are ignored.
fn closed_enum<T: Copy>(
    v: &Value,
    path: &Path<'_>,
    o: &JsonOptions,
    enum_type: &'static str,
    field: &'static str,
    from_i32: fn(i32) -> Option<T>,
    as_str: fn(T) -> &'static str,
) -> Result<Option<T>, JsonError> {
    let by_name = |s: &str| (0..8).find(|&n| from_i32(n).is_some_and(|t| as_str(t) == s));
    match value::read_enum(v, path, o, enum_type, by_name)? {
        None => Ok(None),
        Some(n) => from_i32(n)
            .map(Some)
            .ok_or_else(|| record_err(path, RecordError::UnknownEnumValue { field, value: n })),
    }
}

fn endpoint_id(
    v: &Value,
    path: &Path<'_>,
    field: &'static str,
) -> Result<Option<EndpointId>, JsonError> {
    let s = value::read_str(v, path)?;
    if s.is_empty() {
        return Ok(None);
    }
    EndpointId::lenient(&s)
        .map(Some)
        .map_err(|source| record_err(path, RecordError::InvalidEndpointId { field, source }))
}

pub(crate) fn record_from_json(v: &Value, o: &JsonOptions) -> Result<Record, JsonError> {
    let root = Path::Root;
    let found = value::fields(
        v,
        &root,
        o,
        "usp_record.Record",
        RECORD_FIELDS,
        Some(("record_type", RECORD_TYPE)),
    )?;
    let mut version: Option<UspVersion> = None;
    let mut ids: [Option<EndpointId>; 4] = Default::default();
    let mut security = PayloadSecurity::Plaintext;
    let (mut mac_signature, mut sender_cert) = (Vec::new(), Vec::new());
    let mut kind = None;
    for &(index, key, value) in &found {
        let path = root.key(key);
        match RECORD_FIELDS[index] {
            "version" => {
                let s = value::read_str(value, &path)?;
                if !s.is_empty() {
                    let parsed = s
                        .parse()
                        .map_err(|e| record_err(&path, RecordError::InvalidVersion(e)))?;
                    version = Some(parsed);
                }
            }
            name @ ("to_id" | "from_id" | "originator_id" | "destination_id") => {
                let slot = ["to_id", "from_id", "originator_id", "destination_id"]
                    .iter()
                    .position(|n| *n == name)
                    .unwrap_or(0);
                ids[slot] = endpoint_id(value, &path, name)?;
            }
            "payload_security" => {
                let e = closed_enum(
                    value,
                    &path,
                    o,
                    "usp_record.Record.PayloadSecurity",
                    "payload_security",
                    PayloadSecurity::from_i32,
                    PayloadSecurity::as_str,
                )?;
                security = e.unwrap_or_default();
            }
            "mac_signature" => mac_signature = value::read_bytes(value, &path)?,
            "sender_cert" => sender_cert = value::read_bytes(value, &path)?,
            member => kind = Some((read_kind(member, value, &path, o)?, key)),
        }
    }
    let Some((kind, kind_key)) = kind else {
        return Err(record_err(&root, RecordError::MissingRecordType));
    };
    let version = version
        .ok_or_else(|| record_err(&root.key("version"), RecordError::MissingField("version")))?;
    let [to_id, from_id, originator_id, destination_id] = ids;
    let to_id =
        to_id.ok_or_else(|| record_err(&root.key("to_id"), RecordError::MissingField("to_id")))?;
    let from_id = from_id
        .ok_or_else(|| record_err(&root.key("from_id"), RecordError::MissingField("from_id")))?;
    let mut record = Record::new(to_id, from_id, kind)
        .map_err(|e| record_err(&root.key(kind_key), e))?
        .with_version(version)
        .with_payload_security(security)
        .with_mac_signature(Bytes::from(mac_signature))
        .with_sender_cert(Bytes::from(sender_cert));
    if let Some(id) = originator_id {
        record = record.with_originator_id(id);
    }
    if let Some(id) = destination_id {
        record = record.with_destination_id(id);
    }
    Ok(record)
}

fn read_kind(
    member: &str,
    v: &Value,
    path: &Path<'_>,
    o: &JsonOptions,
) -> Result<RecordKind, JsonError> {
    let fields = |message: &'static str, names: &[&'static str]| {
        value::fields(v, path, o, message, names, None)
    };
    Ok(match member {
        "no_session_context" => {
            let mut payload = Vec::new();
            for (_, key, value) in fields("usp_record.NoSessionContextRecord", &["payload"])? {
                payload = value::read_bytes(value, &path.key(key))?;
            }
            RecordKind::NoSessionContext {
                payload: Bytes::from(payload),
            }
        }
        "session_context" => RecordKind::SessionContext(read_session_context(v, path, o)?),
        "websocket_connect" => {
            fields("usp_record.WebSocketConnectRecord", &[])?;
            RecordKind::WebSocketConnect
        }
        "uds_connect" => {
            fields("usp_record.UDSConnectRecord", &[])?;
            RecordKind::UdsConnect
        }
        "mqtt_connect" => {
            let (mut version, mut topic) = (MqttVersion::V3_1_1, String::new());
            let names = &["version", "subscribed_topic"];
            for (index, key, value) in fields("usp_record.MQTTConnectRecord", names)? {
                let path = path.key(key);
                if index == 0 {
                    version = closed_enum(
                        value,
                        &path,
                        o,
                        "usp_record.MQTTConnectRecord.MQTTVersion",
                        "version",
                        MqttVersion::from_i32,
                        MqttVersion::as_str,
                    )?
                    .unwrap_or_default();
                } else {
                    topic = value::read_str(value, &path)?;
                }
            }
            RecordKind::MqttConnect(MqttConnect::new(version, topic))
        }
        "stomp_connect" => {
            let (mut version, mut destination) = (StompVersion::V1_2, String::new());
            let names = &["version", "subscribed_destination"];
            for (index, key, value) in fields("usp_record.STOMPConnectRecord", names)? {
                let path = path.key(key);
                if index == 0 {
                    version = closed_enum(
                        value,
                        &path,
                        o,
                        "usp_record.STOMPConnectRecord.STOMPVersion",
                        "version",
                        StompVersion::from_i32,
                        StompVersion::as_str,
                    )?
                    .unwrap_or_default();
                } else {
                    destination = value::read_str(value, &path)?;
                }
            }
            RecordKind::StompConnect(StompConnect::new(version, destination))
        }
        // The remaining member of record_type, `disconnect`.
        _ => {
            let (mut reason, mut code) = (String::new(), 0);
            for (index, key, value) in
                fields("usp_record.DisconnectRecord", &["reason", "reason_code"])?
            {
                let path = path.key(key);
                if index == 0 {
                    reason = value::read_str(value, &path)?;
                } else {
                    code = value::read_u32(value, &path, "fixed32")?;
                }
            }
            RecordKind::Disconnect(Disconnect::new(ErrorCode::new(code), reason))
        }
    })
}

const SESSION_FIELDS: &[&str] = &[
    "session_id",
    "sequence_id",
    "expected_id",
    "retransmit_id",
    "payload_sar_state",
    "payloadrec_sar_state",
    "payload",
];

fn read_session_context(
    v: &Value,
    path: &Path<'_>,
    o: &JsonOptions,
) -> Result<SessionContext, JsonError> {
    let mut ids = [0u64; 4];
    let mut sar = [SarState::None; 2];
    let mut pieces = Vec::new();
    let message = "usp_record.SessionContextRecord";
    for (index, key, value) in value::fields(v, path, o, message, SESSION_FIELDS, None)? {
        let path = path.key(key);
        match index {
            0..=3 => ids[index] = value::read_u64(value, &path)?,
            4 | 5 => {
                sar[index - 4] = closed_enum(
                    value,
                    &path,
                    o,
                    "usp_record.SessionContextRecord.PayloadSARState",
                    SESSION_FIELDS[index],
                    SarState::from_i32,
                    SarState::as_str,
                )?
                .unwrap_or_default();
            }
            _ => {
                for (i, item) in value::read_array(value, &path)?.iter().enumerate() {
                    let path = path.index(i);
                    if item.is_null() {
                        return Err(path.err(JsonErrorKind::NullElement));
                    }
                    pieces.push(Bytes::from(value::read_bytes(item, &path)?));
                }
            }
        }
    }
    let mut ctx = SessionContext::new(ids[0], ids[1], ids[2])
        .with_retransmit_id(ids[3])
        .with_sar_state(sar[0], sar[1]);
    for piece in pieces {
        ctx = ctx.with_payload(piece);
    }
    Ok(ctx)
}
