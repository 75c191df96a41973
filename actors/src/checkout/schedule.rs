//! Which lane gives up its oldest ticket next: smooth weighted round-robin
//! over the lanes that have tickets, with a starvation guard. Pure data: the
//! dispatcher keeps it in step with what the lanes hold.

use std::time::Duration;

use tokio::time::Instant;

/// What the dispatcher knows of one lane.
struct View {
    weight: i64,
    depth: usize,
    /// When the ticket at the head arrived.
    head: Option<Instant>,
    credit: i64,
}

pub(crate) struct Schedule {
    views: Vec<View>,
    /// A lane whose oldest ticket waited this long is served next, whatever
    /// the weights say.
    starvation: Duration,
}

impl Schedule {
    pub(crate) fn new(weights: impl IntoIterator<Item = u32>, starvation: Duration) -> Self {
        let views = weights
            .into_iter()
            .map(|weight| View {
                weight: i64::from(weight.max(1)),
                depth: 0,
                head: None,
                credit: 0,
            })
            .collect();
        Self { views, starvation }
    }

    /// A ticket that arrived `at` joined `lane`.
    pub(crate) fn pushed(&mut self, lane: usize, at: Instant) {
        if let Some(view) = self.views.get_mut(lane) {
            view.depth += 1;
            view.head.get_or_insert(at);
        }
    }

    /// `lane` lost `count` tickets; `head` is when its new head arrived.
    pub(crate) fn taken(&mut self, lane: usize, count: usize, head: Option<Instant>) {
        if let Some(view) = self.views.get_mut(lane) {
            view.depth = view.depth.saturating_sub(count);
            view.head = head;
            if head.is_none() {
                view.depth = 0;
            }
        }
    }

    /// `lane` holds `depth` tickets, the oldest arrived at `head` (after
    /// the lane was started again).
    pub(crate) fn reset(&mut self, lane: usize, depth: usize, head: Option<Instant>) {
        if let Some(view) = self.views.get_mut(lane) {
            view.depth = depth;
            view.head = head;
        }
    }

    /// The lane to serve next, if any has tickets.
    pub(crate) fn next(&mut self, now: Instant) -> Option<usize> {
        let starving = self
            .views
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let waited = now.saturating_duration_since(v.head?);
                (v.depth > 0 && waited >= self.starvation).then_some((i, waited))
            })
            .max_by_key(|(_, waited)| *waited)
            .map(|(i, _)| i);
        starving.or_else(|| self.weighted())
    }

    /// Each lane with tickets gains its weight in credit; the richest is
    /// served and pays the total.
    fn weighted(&mut self) -> Option<usize> {
        let mut total = 0;
        for view in self.views.iter_mut().filter(|v| v.depth > 0) {
            view.credit += view.weight;
            total += view.weight;
        }
        let best = self
            .views
            .iter()
            .enumerate()
            .filter(|(_, v)| v.depth > 0)
            .max_by_key(|(i, v)| (v.credit, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)?;
        self.views[best].credit -= total;
        Some(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves `n` times, each served lane giving up one ticket that arrived `at`.
    fn serve(schedule: &mut Schedule, n: usize, now: Instant, at: Instant) -> Vec<usize> {
        let mut served = Vec::new();
        for _ in 0..n {
            let Some(lane) = schedule.next(now) else {
                break;
            };
            let left = schedule.views[lane].depth - 1;
            schedule.taken(lane, 1, (left > 0).then_some(at));
            served.push(lane);
        }
        served
    }

    #[test]
    fn weights_share_dispatches() {
        let mut schedule = Schedule::new([3, 1], Duration::from_secs(3600));
        let now = Instant::now();
        for _ in 0..3 {
            schedule.pushed(1, now);
        }
        for _ in 0..9 {
            schedule.pushed(0, now);
        }
        let served = serve(&mut schedule, 13, now, now);
        assert_eq!(&served[..8], &[0, 0, 1, 0, 0, 0, 1, 0], "3:1 interleaving");
        assert_eq!(served.len(), 12, "every ticket once, then nothing");
    }

    #[test]
    fn the_standard_lane_is_never_starved() {
        let mut schedule = Schedule::new([3, 1], Duration::from_secs(2));
        let start = Instant::now();
        schedule.pushed(1, start);
        // A flood of priority tickets arriving later.
        let later = start + Duration::from_secs(3);
        for _ in 0..50 {
            schedule.pushed(0, later);
        }
        assert_eq!(schedule.next(later), Some(1), "waited past the guard");
    }

    #[test]
    fn an_emptied_lane_is_not_served() {
        let mut schedule = Schedule::new([1, 1], Duration::from_secs(3600));
        let now = Instant::now();
        schedule.pushed(0, now);
        schedule.pushed(0, now);
        schedule.taken(0, 2, None);
        assert_eq!(schedule.next(now), None);
    }
}
