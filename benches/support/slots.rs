//! Next-event slots: one pending event per entity, and a tournament (a
//! binary winner tree) over them that keeps the smallest `(time, seq)` key
//! at its root. The structure the engine was measured with in place of its
//! heap (docs/performance.md, "Next-event slots"); kept here so that the
//! comparison can be re-run.
//!
//! The tree is an array: node 1 is the root, node `v`'s children are `2v`
//! and `2v + 1`, and the slots are the leaves `width + slot` (`width` a
//! power of two). Every node holds the winner of its subtree, key and slot
//! together, so a replayed match reads one sibling instead of following an
//! index to its key.

/// `(time, seq)` packed as the engine packs it: time in the high 64 bits.
pub type Key = u128;

/// An empty slot's key, larger than any real one.
pub const EMPTY: Key = Key::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    key: Key,
    slot: u32,
}

const NO_NODE: Node = Node {
    key: EMPTY,
    slot: u32::MAX,
};

/// `n` slots and their tournament.
pub struct Slots {
    width: usize,
    nodes: Vec<Node>,
}

impl Slots {
    /// `n` empty slots.
    pub fn new(n: usize) -> Self {
        let width = n.next_power_of_two();
        Slots {
            width,
            nodes: vec![NO_NODE; 2 * width],
        }
    }

    /// The smallest key and its slot.
    #[inline(always)]
    pub fn min(&self) -> (Key, usize) {
        (self.nodes[1].key, self.nodes[1].slot as usize)
    }

    /// Gives `slot` `key` ([`EMPTY`]: empties it). A smaller key than the
    /// slot had goes up while it wins (a filled slot: mostly a level or
    /// two); a larger one replays the matches the slot had won.
    #[inline(always)]
    pub fn set(&mut self, slot: usize, key: Key) {
        let mut v = self.width + slot;
        let old = self.nodes[v].key;
        let mut winner = Node {
            key,
            slot: slot as u32,
        };
        self.nodes[v] = winner;
        if key < old {
            while v > 1 {
                v >>= 1;
                if key >= self.nodes[v].key {
                    return;
                }
                self.nodes[v] = winner;
            }
            return;
        }
        while v > 1 {
            let sibling = self.nodes[v ^ 1];
            winner = if sibling.key < winner.key {
                sibling
            } else {
                winner
            };
            v >>= 1;
            if self.nodes[v].slot != slot as u32 {
                return; // another slot won here, and still does
            }
            self.nodes[v] = winner;
        }
    }
}
