//! STOMP 1.2 heart-beating (R-STOMP.8 to R-STOMP.11), sans-IO: the `heart-beat` header,
//! the negotiation, and timers that take the time as an argument.

use std::error::Error as StdError;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// One side's `heart-beat` header: how often it can send heart-beats, and how often it
/// wants to receive them (STOMP 1.2 "Heart-beating"). Zero means "cannot" or "does not
/// want".
///
/// The client sends `cx,cy` in its `STOMP` frame and the server answers `sx,sy` in
/// `CONNECTED`; a missing header counts as `0,0`. With the `STOMP.Connection.{i}.`
/// parameters of an Agent, `cx` is `OutgoingHeartbeat` and `cy` is `IncomingHeartbeat`
/// (R-STOMP.10), and `0,0` is what an Agent sends with `EnableHeartbeats` false
/// (R-STOMP.9).
///
/// ```
/// use std::time::Duration;
/// use usp_mtp::stomp::HeartBeat;
///
/// let client = HeartBeat::new(Duration::from_secs(10), Duration::from_secs(15));
/// assert_eq!(client.to_string(), "10000,15000");
/// let server: HeartBeat = "5000,20000".parse()?;
/// let negotiated = client.negotiate(server);
/// assert_eq!(negotiated.send(), Some(Duration::from_secs(20))); // max(cx, sy)
/// assert_eq!(negotiated.receive(), Some(Duration::from_secs(15))); // max(sx, cy)
/// assert_eq!(HeartBeat::OFF.negotiate(server).send(), None);
/// # Ok::<(), usp_mtp::stomp::InvalidHeartBeat>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HeartBeat {
    can_send: u32,
    wants: u32,
}

impl HeartBeat {
    /// `0,0`: no heart-beats either way.
    pub const OFF: Self = Self {
        can_send: 0,
        wants: 0,
    };

    /// Sends at least every `can_send`, wants to receive every `wants` (zero for none).
    /// Durations are counted in whole milliseconds, saturating at `u32::MAX`.
    pub fn new(can_send: Duration, wants: Duration) -> Self {
        let ms = |d: Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
        Self {
            can_send: ms(can_send),
            wants: ms(wants),
        }
    }

    /// The first number of the header: the smallest interval at which this side can send
    /// heart-beats, in milliseconds (0: it cannot).
    pub fn can_send_ms(&self) -> u32 {
        self.can_send
    }

    /// The second number: the interval at which this side wants to receive heart-beats,
    /// in milliseconds (0: it does not want them).
    pub fn wants_ms(&self) -> u32 {
        self.wants
    }

    /// The intervals in force once the client declared `self` and the server `server`:
    /// the client sends every `max(cx, sy)` unless either is 0, and the server every
    /// `max(sx, cy)` unless either is 0.
    pub fn negotiate(self, server: Self) -> Negotiated {
        let interval =
            |a: u32, b: u32| (a != 0 && b != 0).then(|| Duration::from_millis(u64::from(a.max(b))));
        Negotiated {
            send: interval(self.can_send, server.wants),
            receive: interval(server.can_send, self.wants),
        }
    }
}

impl fmt::Display for HeartBeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.can_send, self.wants)
    }
}

impl FromStr for HeartBeat {
    type Err = InvalidHeartBeat;

    /// Parses `x,y`: two decimal numbers of milliseconds (spaces around them are tolerated).
    fn from_str(s: &str) -> Result<Self, InvalidHeartBeat> {
        let number = |part: &str| {
            let part = part.trim();
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(InvalidHeartBeat);
            }
            part.parse::<u32>().map_err(|_| InvalidHeartBeat)
        };
        let (x, y) = s.split_once(',').ok_or(InvalidHeartBeat)?;
        Ok(Self {
            can_send: number(x)?,
            wants: number(y)?,
        })
    }
}

/// A `heart-beat` header that is not two numbers of milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidHeartBeat;

impl fmt::Display for InvalidHeartBeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid heart-beat header: expected two numbers of milliseconds, x,y")
    }
}

impl StdError for InvalidHeartBeat {}

/// The heart-beat intervals of a connection, from the client's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Negotiated {
    send: Option<Duration>,
    receive: Option<Duration>,
}

impl Negotiated {
    /// How often the client must send something (`None`: never required).
    pub fn send(&self) -> Option<Duration> {
        self.send
    }

    /// How often the server sends something (`None`: the server sends no heart-beats).
    pub fn receive(&self) -> Option<Duration> {
        self.receive
    }
}

/// What [`HeartBeatTimers::poll`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeartBeatEvent {
    /// Nothing was sent for almost the negotiated interval: send an EOL now.
    Send,
    /// Nothing was received for longer than the negotiated interval plus the tolerance:
    /// the connection is dead (R-STOMP.11).
    Dead {
        /// How long the server has been silent.
        silent_for: Duration,
    },
}

/// The two heart-beat timers of a connection, sans-IO: tell it when data is sent and
/// received, ask it when to wake up, and what to do then.
///
/// - Sending: an EOL is due when nothing was sent for 90 % of the negotiated send
///   interval, so that one always leaves within the interval even when the timer fires a
///   little late (STOMP 1.2: the sender "MUST send new data over the network connection at
///   least every" interval).
/// - Receiving: any byte counts (frames, EOLs). The connection is dead when nothing arrived
///   for the negotiated receive interval plus a tolerance, by default the interval again
///   (so twice the interval): STOMP 1.2 asks receivers to allow for timing inaccuracies
///   without fixing the margin; twice the interval is what common brokers and clients use.
///
/// ```
/// use std::time::{Duration, Instant};
/// use usp_mtp::stomp::{HeartBeat, HeartBeatEvent, HeartBeatTimers};
///
/// let negotiated = HeartBeat::new(Duration::from_secs(1), Duration::from_secs(2))
///     .negotiate("2000,1000".parse()?);
/// let start = Instant::now();
/// let mut timers = HeartBeatTimers::new(negotiated, 100, start);
/// assert_eq!(timers.poll_timeout(), Some(start + Duration::from_millis(900)));
/// assert_eq!(timers.poll(start + Duration::from_millis(900)), Some(HeartBeatEvent::Send));
/// timers.sent(start + Duration::from_millis(900));
/// timers.received(start + Duration::from_secs(3));
/// let late = start + Duration::from_secs(7) + Duration::from_millis(1);
/// assert_eq!(
///     timers.poll(late),
///     Some(HeartBeatEvent::Dead { silent_for: Duration::from_millis(4001) })
/// );
/// # Ok::<(), usp_mtp::stomp::InvalidHeartBeat>(())
/// ```
#[derive(Debug, Clone)]
pub struct HeartBeatTimers {
    send_every: Option<Duration>,
    dead_after: Option<Duration>,
    last_sent: Instant,
    last_received: Instant,
}

impl HeartBeatTimers {
    /// Timers for `negotiated` intervals, both starting at `now`. The server is dead after
    /// its interval plus `tolerance_percent` of it (100: twice the interval).
    pub fn new(negotiated: Negotiated, tolerance_percent: u32, now: Instant) -> Self {
        let send_every = negotiated.send.map(|d| d * 9 / 10);
        let dead_after = negotiated
            .receive
            .map(|d| d.saturating_add(d.saturating_mul(tolerance_percent) / 100));
        Self {
            send_every,
            dead_after,
            last_sent: now,
            last_received: now,
        }
    }

    /// How long the server may stay silent, if it sends heart-beats.
    pub fn dead_after(&self) -> Option<Duration> {
        self.dead_after
    }

    /// Something was written to the connection at `now`.
    pub fn sent(&mut self, now: Instant) {
        self.last_sent = self.last_sent.max(now);
    }

    /// Something was read from the connection at `now` (also call it when reading resumes
    /// after a pause the client chose, so that the pause is not held against the server).
    pub fn received(&mut self, now: Instant) {
        self.last_received = self.last_received.max(now);
    }

    /// When [`poll`](Self::poll) has something to say next, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let send = self.send_every.map(|d| self.last_sent + d);
        let dead = self.dead_after.map(|d| self.last_received + d);
        match (send, dead) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// What is due at `now`: a dead server first, then a heart-beat to send.
    pub fn poll(&self, now: Instant) -> Option<HeartBeatEvent> {
        if let Some(limit) = self.dead_after {
            let silent_for = now.saturating_duration_since(self.last_received);
            if silent_for > limit {
                return Some(HeartBeatEvent::Dead { silent_for });
            }
        }
        let every = self.send_every?;
        (now.saturating_duration_since(self.last_sent) >= every).then_some(HeartBeatEvent::Send)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn the_header_parses_and_prints() {
        let hb: HeartBeat = "10000,15000".parse().unwrap();
        assert_eq!((hb.can_send_ms(), hb.wants_ms()), (10000, 15000));
        assert_eq!(hb.to_string(), "10000,15000");
        assert_eq!(" 0 , 5 ".parse::<HeartBeat>().unwrap().wants_ms(), 5);
        for bad in [
            "",
            "1",
            "1,",
            ",1",
            "a,b",
            "-1,0",
            "1,2,3",
            "99999999999,0",
            "1.5,0",
        ] {
            assert_eq!(bad.parse::<HeartBeat>(), Err(InvalidHeartBeat), "{bad:?}");
        }
        assert!(!InvalidHeartBeat.to_string().is_empty());
        assert_eq!(HeartBeat::default(), HeartBeat::OFF);
        assert_eq!(HeartBeat::OFF.to_string(), "0,0");
        let huge = HeartBeat::new(Duration::MAX, Duration::ZERO);
        assert_eq!(huge.can_send_ms(), u32::MAX);
    }

    #[test]
    fn r_stomp_11_negotiation_follows_stomp_1_2() {
        let hb = |x, y| HeartBeat {
            can_send: x,
            wants: y,
        };
        for ((cx, cy), (sx, sy), send, receive) in [
            ((0, 0), (1000, 1000), None, None),
            ((1000, 0), (0, 500), Some(1000), None),
            ((1000, 0), (0, 5000), Some(5000), None),
            ((0, 2000), (1000, 0), None, Some(2000)),
            ((0, 2000), (3000, 0), None, Some(3000)),
            ((1000, 2000), (0, 0), None, None),
            ((1000, 2000), (2000, 1000), Some(1000), Some(2000)),
        ] {
            let n = hb(cx, cy).negotiate(hb(sx, sy));
            assert_eq!(n.send(), send.map(|ms| ms * MS), "{cx},{cy} / {sx},{sy}");
            assert_eq!(
                n.receive(),
                receive.map(|ms| ms * MS),
                "{cx},{cy} / {sx},{sy}"
            );
        }
    }

    #[test]
    fn send_is_due_at_nine_tenths_of_the_interval_after_the_last_write() {
        let start = Instant::now();
        let n = HeartBeat::new(1000 * MS, Duration::ZERO)
            .negotiate(HeartBeat::new(Duration::ZERO, 1000 * MS));
        let mut t = HeartBeatTimers::new(n, 100, start);
        assert_eq!(t.dead_after(), None);
        assert_eq!(t.poll(start + 899 * MS), None);
        assert_eq!(t.poll(start + 900 * MS), Some(HeartBeatEvent::Send));
        t.sent(start + 500 * MS);
        assert_eq!(t.poll_timeout(), Some(start + 1400 * MS));
        assert_eq!(t.poll(start + 1000 * MS), None);
        // Time never goes back.
        t.sent(start);
        assert_eq!(t.poll_timeout(), Some(start + 1400 * MS));
    }

    #[test]
    fn the_server_is_dead_after_its_interval_plus_the_tolerance() {
        let start = Instant::now();
        let n = HeartBeat::new(Duration::ZERO, 100 * MS)
            .negotiate(HeartBeat::new(200 * MS, Duration::ZERO));
        assert_eq!(n.receive(), Some(200 * MS));
        let mut t = HeartBeatTimers::new(n, 50, start);
        assert_eq!(t.dead_after(), Some(300 * MS));
        assert_eq!(t.poll_timeout(), Some(start + 300 * MS));
        assert_eq!(t.poll(start + 300 * MS), None);
        t.received(start + 250 * MS);
        assert_eq!(t.poll(start + 500 * MS), None);
        assert_eq!(
            t.poll(start + 551 * MS),
            Some(HeartBeatEvent::Dead {
                silent_for: 301 * MS
            })
        );
        let off = HeartBeatTimers::new(Negotiated::default(), 100, start);
        assert_eq!(off.poll_timeout(), None);
        assert_eq!(off.poll(start + Duration::from_secs(3600)), None);
    }
}
