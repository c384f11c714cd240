//! Bytes as text: hexadecimal and base64, both ways.

use crate::{Failure, InputFormat, OutputFormat};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// The input's bytes, read as `format` (for `Auto`: hexadecimal if it only has hex digits
/// and spaces, base64 if it only has base64 characters, the raw bytes otherwise).
pub(crate) fn decode_input(raw: &[u8], format: InputFormat) -> Result<Vec<u8>, Failure> {
    let text: Vec<u8> = raw.iter().copied().filter(|&b| !is_space(b)).collect();
    match format {
        InputFormat::Binary => Ok(raw.to_vec()),
        InputFormat::Hex => {
            hex(&text).ok_or_else(|| Failure::input("the input is not hexadecimal"))
        }
        InputFormat::Base64 => {
            base64(&text).ok_or_else(|| Failure::input("the input is not base64"))
        }
        InputFormat::Auto => {
            if text.is_empty() {
                return Err(Failure::input("the input is empty"));
            }
            Ok(hex(&text)
                .or_else(|| base64(&text))
                .unwrap_or_else(|| raw.to_vec()))
        }
    }
}

fn hex(text: &[u8]) -> Option<Vec<u8>> {
    let text = text.strip_prefix(b"0x").unwrap_or(text);
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    text.chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

fn base64(text: &[u8]) -> Option<Vec<u8>> {
    let body = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    if body.is_empty() || body.len() % 4 == 1 {
        return None;
    }
    let value = |b: u8| match b {
        b'-' => Some(62),
        b'_' => Some(63),
        _ => ALPHABET.iter().position(|&c| c == b).map(|p| p as u32),
    };
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut n = 0u32;
        for (i, &b) in chunk.iter().enumerate() {
            n |= value(b)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// `bytes` written as `format`, with a newline after text.
pub(crate) fn encode_output(bytes: &[u8], format: OutputFormat) -> Vec<u8> {
    match format {
        OutputFormat::Binary => bytes.to_vec(),
        OutputFormat::Hex => {
            let mut s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            s.push('\n');
            s.into_bytes()
        }
        OutputFormat::Base64 => {
            let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4 + 1);
            for chunk in bytes.chunks(3) {
                let mut n = 0u32;
                for (i, &b) in chunk.iter().enumerate() {
                    n |= u32::from(b) << (16 - 8 * i);
                }
                for i in 0..4 {
                    if i <= chunk.len() {
                        s.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                    } else {
                        s.push('=');
                    }
                }
            }
            s.push('\n');
            s.into_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_hex_round_trip() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(37).wrapping_add(11))
                .collect();
            let b64 = encode_output(&bytes, OutputFormat::Base64);
            if len > 0 {
                assert_eq!(
                    decode_input(&b64, InputFormat::Base64).unwrap(),
                    bytes,
                    "{len}"
                );
                let hex = encode_output(&bytes, OutputFormat::Hex);
                assert_eq!(decode_input(&hex, InputFormat::Hex).unwrap(), bytes);
            }
        }
        assert_eq!(encode_output(b"Man", OutputFormat::Base64), b"TWFu\n");
        assert_eq!(encode_output(b"Ma", OutputFormat::Base64), b"TWE=\n");
        assert!(decode_input(b"zz", InputFormat::Hex).is_err());
        assert!(decode_input(b"a", InputFormat::Base64).is_err());
    }
}
