//! Grouping texts into encoder batches with little padding.
//!
//! A batch costs about `rows × longest` token positions (every text is padded
//! to the longest in its batch) plus a fixed overhead per forward pass. Texts
//! are sorted by token count and cut into runs of neighbours so that the sum
//! of those costs is smallest (a small dynamic programme over the sorted
//! lengths); callers put the results back in the original order.

/// Fixed cost of one forward pass, in token positions: it keeps the planner
/// from cutting a batch into many tiny ones to save a few padding tokens.
pub(crate) const BATCH_OVERHEAD_TOKENS: usize = 48;

/// Splits `lengths` (token counts, one per text) into batches of at most
/// `max_rows` texts; each batch lists indices into `lengths`, shortest first.
pub(crate) fn plan(lengths: &[usize], max_rows: usize, overhead: usize) -> Vec<Vec<usize>> {
    let max_rows = max_rows.max(1);
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| lengths[i]);
    let sorted: Vec<usize> = order.iter().map(|&i| lengths[i]).collect();

    // best[j]: least cost of batching the first j sorted texts; cut[j]: where
    // the last batch of that plan starts.
    let n = sorted.len();
    let mut best = vec![0usize; n + 1];
    let mut cut = vec![0usize; n + 1];
    for j in 1..=n {
        best[j] = usize::MAX;
        for i in j.saturating_sub(max_rows)..j {
            let cost = best[i] + (j - i) * sorted[j - 1] + overhead;
            if cost < best[j] {
                best[j] = cost;
                cut[j] = i;
            }
        }
    }
    let mut batches = Vec::new();
    let mut j = n;
    while j > 0 {
        let i = cut[j];
        batches.push(order[i..j].to_vec());
        j = i;
    }
    batches.reverse();
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(batches: &[Vec<usize>], n: usize) -> bool {
        let mut seen: Vec<usize> = batches.iter().flatten().copied().collect();
        seen.sort_unstable();
        seen == (0..n).collect::<Vec<_>>()
    }

    #[test]
    fn similar_lengths_share_a_batch() {
        let lengths = [12, 13, 12, 14, 13];
        let batches = plan(&lengths, 32, BATCH_OVERHEAD_TOKENS);
        assert_eq!(batches.len(), 1);
        assert!(covered(&batches, lengths.len()));
    }

    #[test]
    fn one_long_text_gets_its_own_batch() {
        let mut lengths = vec![10; 20];
        lengths.insert(7, 256);
        let batches = plan(&lengths, 32, BATCH_OVERHEAD_TOKENS);
        assert_eq!(
            batches,
            vec![(0..21).filter(|&i| i != 7).collect(), vec![7]]
        );
    }

    #[test]
    fn batches_respect_the_row_limit_and_cover_everything() {
        let lengths: Vec<usize> = (0..100).map(|i| 5 + (i * 37) % 50).collect();
        let batches = plan(&lengths, 32, BATCH_OVERHEAD_TOKENS);
        assert!(batches.iter().all(|b| !b.is_empty() && b.len() <= 32));
        assert!(covered(&batches, lengths.len()));
        for batch in &batches {
            assert!(batch.windows(2).all(|w| lengths[w[0]] <= lengths[w[1]]));
        }
        assert!(plan(&[], 32, BATCH_OVERHEAD_TOKENS).is_empty());
    }
}
