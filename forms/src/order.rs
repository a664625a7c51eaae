//! One stable sort for code that runs on the phone. `slice::sort_by` is compiled anew for
//! every element type and every comparison (4–5 KB of WebAssembly each, in a download
//! with a 300 KB budget); [`sort_by`] sorts positions instead, so the sort itself is
//! compiled once whatever is sorted.

use std::cmp::Ordering;

/// Sorts `items` stably by `cmp`, as `items.sort_by(cmp)` would.
pub fn sort_by<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_positions(items.len(), &|a, b| cmp(&items[a], &items[b]));
    let mut taken: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

/// Sorts `items` stably by a key, as `items.sort_by_key(key)` would.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

#[inline(never)]
fn sorted_positions(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..n).collect();
    positions.sort_by(|a, b| cmp(*a, *b));
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        let cases: [&[(u8, char)]; 5] = [
            &[],
            &[(1, 'a')],
            &[(3, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (3, 'e'), (0, 'f')],
            &[(1, 'a'), (1, 'b'), (1, 'c')],
            &[(5, 'a'), (4, 'b'), (3, 'c'), (2, 'd'), (1, 'e')],
        ];
        for case in cases {
            let mut ours = case.to_vec();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = case.to_vec();
            std.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(ours, std, "equal keys keep their order");
            let mut keyed = case.to_vec();
            sort_by_key(&mut keyed, |x| std::cmp::Reverse(x.0));
            let mut std_keyed = case.to_vec();
            std_keyed.sort_by_key(|x| std::cmp::Reverse(x.0));
            assert_eq!(keyed, std_keyed);
        }
    }
}
