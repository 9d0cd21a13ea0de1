//! The signing instant, in the two forms SigV4 writes it: `X-Amz-Date`
//! (`20150830T123600Z`) and the scope date (`20150830`).

use crate::Error;
use std::fmt;

/// A UTC instant with whole-second precision, as SigV4 uses it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SigningTime {
    /// `YYYYMMDDTHHMMSSZ`, always ASCII.
    amz_date: [u8; 16],
    unix_seconds: i64,
}

impl SigningTime {
    /// Parses an RFC 3339 UTC instant (`2015-08-30T12:36:00Z`, fractional
    /// seconds are dropped, `+00:00` accepted) or an `X-Amz-Date`
    /// (`20150830T123600Z`).
    ///
    /// # Errors
    /// [`Error::Time`] for anything else, including other UTC offsets and
    /// out-of-range fields.
    pub fn parse(input: &str) -> Result<SigningTime, Error> {
        let parsed = parse_fields(input.as_bytes()).and_then(|(y, mo, d, h, mi, s)| {
            // An `X-Amz-Date` that parsed is already the text to keep (a
            // verifier parses one per request): no digits to write back.
            match <[u8; 16]>::try_from(input.as_bytes()) {
                Ok(amz_date) => SigningTime::checked(y, mo, d, h, mi, s, amz_date),
                Err(_) => SigningTime::from_fields(y, mo, d, h, mi, s),
            }
        });
        parsed.ok_or_else(|| Error::Time {
            input: crate::error::excerpt(input),
        })
    }

    /// The instant `unix_seconds` after 1970-01-01T00:00:00Z, if its year is
    /// within 0000..=9999.
    pub fn from_unix(unix_seconds: i64) -> Option<SigningTime> {
        let days = unix_seconds.div_euclid(86_400);
        let secs = unix_seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        SigningTime::from_fields(
            year,
            month,
            day,
            (secs / 3600) as u32,
            (secs / 60 % 60) as u32,
            (secs % 60) as u32,
        )
    }

    /// The current time from the system clock.
    pub fn now() -> SigningTime {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs() as i64)
            .unwrap_or(0);
        SigningTime::from_unix(seconds).unwrap_or(EPOCH)
    }

    fn from_fields(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Option<SigningTime> {
        let mut amz_date = *b"00000000T000000Z";
        write_digits(&mut amz_date[0..4], year.clamp(0, 9999) as u32);
        write_digits(&mut amz_date[4..6], month);
        write_digits(&mut amz_date[6..8], day);
        write_digits(&mut amz_date[9..11], hour);
        write_digits(&mut amz_date[11..13], minute);
        write_digits(&mut amz_date[13..15], second);
        SigningTime::checked(year, month, day, hour, minute, second, amz_date)
    }

    /// The instant of these fields, if they name one, with `amz_date`
    /// (their `YYYYMMDDTHHMMSSZ` form, which the caller wrote).
    fn checked(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        amz_date: [u8; 16],
    ) -> Option<SigningTime> {
        let valid = (0..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return None;
        }
        let unix_seconds = days_from_civil(year, month, day) * 86_400
            + i64::from(hour * 3600 + minute * 60 + second);
        Some(SigningTime {
            amz_date,
            unix_seconds,
        })
    }

    /// `YYYYMMDDTHHMMSSZ`, the value of `X-Amz-Date`.
    pub fn amz_date(&self) -> &str {
        // Only ASCII digits, `T` and `Z` are ever written into the array.
        std::str::from_utf8(&self.amz_date).unwrap_or("00000000T000000Z")
    }

    /// The `X-Amz-Date` as bytes, for comparing with a received one.
    pub(crate) fn amz_date_bytes(&self) -> &[u8; 16] {
        &self.amz_date
    }

    /// `YYYYMMDD`, the date of the credential scope.
    pub fn scope_date(&self) -> &str {
        &self.amz_date()[..8]
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }
}

const EPOCH: SigningTime = SigningTime {
    amz_date: *b"19700101T000000Z",
    unix_seconds: 0,
};

impl fmt::Debug for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningTime({})", self.amz_date())
    }
}

impl fmt::Display for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.amz_date();
        write!(
            f,
            "{}-{}-{}T{}:{}:{}Z",
            &d[0..4],
            &d[4..6],
            &d[6..8],
            &d[9..11],
            &d[11..13],
            &d[13..15]
        )
    }
}

type Fields = (i64, u32, u32, u32, u32, u32);

fn parse_fields(input: &[u8]) -> Option<Fields> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = input.get(range)?;
        digits.iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    if input.len() == 16 && input[8] == b'T' && input[15] == b'Z' {
        return Some((
            i64::from(number(0..4)?),
            number(4..6)?,
            number(6..8)?,
            number(9..11)?,
            number(11..13)?,
            number(13..15)?,
        ));
    }
    let separators_ok = input.len() >= 20
        && input[4] == b'-'
        && input[7] == b'-'
        && matches!(input[10], b'T' | b't')
        && input[13] == b':'
        && input[16] == b':';
    if !separators_ok {
        return None;
    }
    let mut rest = &input[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    if !matches!(rest, b"Z" | b"z" | b"+00:00" | b"-00:00") {
        return None;
    }
    Some((
        i64::from(number(0..4)?),
        number(5..7)?,
        number(8..10)?,
        number(11..13)?,
        number(14..16)?,
        number(17..19)?,
    ))
}

fn write_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil and civil-from-days algorithms.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms_to_the_same_instant() {
        let rfc = SigningTime::parse("2015-08-30T12:36:00Z").unwrap();
        let amz = SigningTime::parse("20150830T123600Z").unwrap();
        assert_eq!(rfc, amz);
        assert_eq!(rfc.amz_date(), "20150830T123600Z");
        assert_eq!(rfc.scope_date(), "20150830");
        assert_eq!(rfc.unix_seconds(), 1_440_938_160);
        assert_eq!(rfc.to_string(), "2015-08-30T12:36:00Z");
    }

    #[test]
    fn accepts_fractions_and_zero_offsets() {
        let t = SigningTime::parse("2015-08-30T12:36:00.123+00:00").unwrap();
        assert_eq!(t.amz_date(), "20150830T123600Z");
    }

    #[test]
    fn rejects_other_offsets_and_bad_fields() {
        for bad in [
            "",
            "2015-08-30T12:36:00+01:00",
            "2015-02-29T00:00:00Z",
            "2015-08-30T24:00:00Z",
            "2015-08-30 12:36:00",
            "20150830T123600",
            "2015-08-30T12:36:00.Z",
            "２015-08-30T12:36:00Z",
        ] {
            assert!(SigningTime::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unix_round_trip() {
        for secs in [0, 951_782_400, 1_440_938_160, 4_102_444_799] {
            assert_eq!(SigningTime::from_unix(secs).unwrap().unix_seconds(), secs);
        }
        // Parsing an `X-Amz-Date` keeps its text; it must be the text the
        // fields would be written as.
        for secs in (0..4_102_444_799)
            .step_by(7_777_777)
            .chain([-1, 253_402_300_799])
        {
            let Some(time) = SigningTime::from_unix(secs) else {
                continue;
            };
            let parsed = SigningTime::parse(time.amz_date()).unwrap();
            assert_eq!(parsed, time, "{secs}");
            assert_eq!(parsed.to_string().len(), 20);
        }
        assert_eq!(
            SigningTime::from_unix(951_782_400).unwrap().amz_date(),
            "20000229T000000Z"
        );
    }
}
