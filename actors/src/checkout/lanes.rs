//! The checkout lanes: bounded FIFO queues drained by smooth weighted
//! round-robin, with a starvation guard. Pure data, no I/O.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;
use uuid::Uuid;

/// One lane's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneConfig {
    pub name: String,
    /// Share of dispatches relative to the other lanes.
    pub weight: u32,
    /// Tickets it may hold; a full lane refuses new ones.
    pub capacity: usize,
}

struct Lane {
    config: LaneConfig,
    queue: VecDeque<(Uuid, Instant)>,
    credit: i64,
}

pub(crate) struct Lanes {
    lanes: Vec<Lane>,
    /// A lane whose oldest ticket waited this long is served next, whatever
    /// the weights say.
    starvation: Duration,
}

impl Lanes {
    pub(crate) fn new(configs: &[LaneConfig], starvation: Duration) -> Self {
        let lanes = configs
            .iter()
            .map(|config| Lane {
                config: config.clone(),
                queue: VecDeque::new(),
                credit: 0,
            })
            .collect();
        Self { lanes, starvation }
    }

    pub(crate) fn index(&self, name: &str) -> Option<usize> {
        self.lanes.iter().position(|l| l.config.name == name)
    }

    pub(crate) fn name(&self, lane: usize) -> &str {
        self.lanes.get(lane).map_or("", |l| l.config.name.as_str())
    }

    /// Appends a ticket; `false` if the lane is full.
    pub(crate) fn push(&mut self, lane: usize, ticket: Uuid, now: Instant) -> bool {
        match self.lanes.get_mut(lane) {
            Some(l) if l.queue.len() < l.config.capacity => {
                l.queue.push_back((ticket, now));
                true
            }
            _ => false,
        }
    }

    /// The next ticket to process, with its lane and how long it waited.
    pub(crate) fn pop(&mut self, now: Instant) -> Option<(usize, Uuid, Duration)> {
        let waiting = |l: &Lane| {
            l.queue
                .front()
                .map(|(_, at)| now.saturating_duration_since(*at))
        };
        let starving = self
            .lanes
            .iter()
            .enumerate()
            .filter_map(|(i, l)| waiting(l).filter(|w| *w >= self.starvation).map(|w| (i, w)))
            .max_by_key(|(_, w)| *w)
            .map(|(i, _)| i);
        let lane = match starving {
            Some(lane) => lane,
            None => self.weighted()?,
        };
        let (ticket, at) = self.lanes[lane].queue.pop_front()?;
        Some((lane, ticket, now.saturating_duration_since(at)))
    }

    /// Smooth weighted round-robin over the lanes that have tickets: each gains
    /// its weight in credit, the richest is served and pays the total.
    fn weighted(&mut self) -> Option<usize> {
        let mut total = 0;
        for lane in self.lanes.iter_mut().filter(|l| !l.queue.is_empty()) {
            let weight = i64::from(lane.config.weight.max(1));
            lane.credit += weight;
            total += weight;
        }
        let best = self
            .lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.queue.is_empty())
            .max_by_key(|(i, l)| (l.credit, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)?;
        self.lanes[best].credit -= total;
        Some(best)
    }

    /// `(lane, 1-based position)` of a queued ticket.
    pub(crate) fn position(&self, ticket: Uuid) -> Option<(usize, usize)> {
        self.lanes.iter().enumerate().find_map(|(i, l)| {
            l.queue
                .iter()
                .position(|(t, _)| *t == ticket)
                .map(|p| (i, p + 1))
        })
    }

    /// Takes a queued ticket out (rejected while waiting).
    pub(crate) fn remove(&mut self, ticket: Uuid) -> bool {
        for lane in &mut self.lanes {
            if let Some(p) = lane.queue.iter().position(|(t, _)| *t == ticket) {
                lane.queue.remove(p);
                return true;
            }
        }
        false
    }

    pub(crate) fn depths(&self) -> impl Iterator<Item = (&str, usize)> {
        self.lanes
            .iter()
            .map(|l| (l.config.name.as_str(), l.queue.len()))
    }

    /// Every queued ticket with its lane name and 1-based position.
    pub(crate) fn positions(&self) -> impl Iterator<Item = (Uuid, &str, usize)> + '_ {
        self.lanes.iter().flat_map(|l| {
            l.queue
                .iter()
                .enumerate()
                .map(|(p, (t, _))| (*t, l.config.name.as_str(), p + 1))
        })
    }

    pub(crate) fn queued(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.lanes
            .iter()
            .flat_map(|l| l.queue.iter().map(|(t, _)| *t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lanes(starvation_secs: u64) -> Lanes {
        let lane = |name: &str, weight, capacity| LaneConfig {
            name: name.into(),
            weight,
            capacity,
        };
        Lanes::new(
            &[lane("priority", 3, 100), lane("standard", 1, 3)],
            Duration::from_secs(starvation_secs),
        )
    }

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::now_v7()).collect()
    }

    #[test]
    fn weights_share_dispatches_and_order_holds_within_a_lane() {
        let mut lanes = lanes(3600);
        let now = Instant::now();
        let (priority, standard) = (ids(9), ids(3));
        for t in &standard {
            assert!(lanes.push(1, *t, now));
        }
        for t in &priority {
            assert!(lanes.push(0, *t, now));
        }
        let order: Vec<(usize, Uuid)> = (0..12)
            .filter_map(|_| lanes.pop(now))
            .map(|(l, t, _)| (l, t))
            .collect();
        let lanes_seq: Vec<usize> = order.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            &lanes_seq[..8],
            &[0, 0, 1, 0, 0, 0, 1, 0],
            "3:1 interleaving"
        );
        let pri: Vec<Uuid> = order
            .iter()
            .filter(|(l, _)| *l == 0)
            .map(|(_, t)| *t)
            .collect();
        let std: Vec<Uuid> = order
            .iter()
            .filter(|(l, _)| *l == 1)
            .map(|(_, t)| *t)
            .collect();
        assert_eq!(pri, priority, "arrival order within the lane");
        assert_eq!(std, standard);
        assert!(lanes.pop(now).is_none());
    }

    #[test]
    fn a_full_lane_refuses_and_positions_are_reported() {
        let mut lanes = lanes(3600);
        let now = Instant::now();
        let t = ids(4);
        for ticket in &t[..3] {
            assert!(lanes.push(1, *ticket, now));
        }
        assert!(!lanes.push(1, t[3], now), "capacity 3");
        assert_eq!(lanes.position(t[2]), Some((1, 3)));
        assert!(lanes.remove(t[0]));
        assert_eq!(lanes.position(t[2]), Some((1, 2)));
        assert_eq!(lanes.position(t[0]), None);
    }

    #[test]
    fn the_standard_lane_is_never_starved() {
        let mut lanes = lanes(2);
        let start = Instant::now();
        let old = Uuid::now_v7();
        assert!(lanes.push(1, old, start));
        // A flood of priority tickets arriving later.
        let later = start + Duration::from_secs(3);
        for t in ids(50) {
            assert!(lanes.push(0, t, later));
        }
        let first = lanes.pop(later).map(|(l, t, _)| (l, t));
        assert_eq!(first, Some((1, old)), "waited past the guard: served first");
    }
}
