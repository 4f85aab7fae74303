//! Lexicons as tries over word ids: entries of several tokens, longest first.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// The trie's root node.
pub const ROOT: u32 = 0;

/// A trie over word ids. Node 0 is the root.
#[derive(Clone, Debug)]
pub struct Trie {
    edges: HashMap<(u32, u32), u32>,
    /// For each node: the entry that ends there, if any.
    accept: Vec<Option<u32>>,
    /// For each node: whether longer entries continue from it.
    has_children: Vec<bool>,
    /// Every word that occurs in an entry, at any position.
    words: HashSet<u32>,
    /// Every word that ends an entry of two words or more.
    lasts: HashSet<u32>,
    /// Canonical value of each entry (its text when none was given).
    pub canon: Vec<String>,
    /// [`Trie::single_words`] and [`Trie::entry_words`], worked out when
    /// first asked (the compiler asks for each use of the lexicon).
    singles: std::sync::OnceLock<Vec<u32>>,
    entry_words: std::sync::OnceLock<Vec<u32>>,
}

impl Default for Trie {
    fn default() -> Trie {
        Trie {
            edges: HashMap::default(),
            accept: vec![None],
            has_children: vec![false],
            words: HashSet::default(),
            lasts: HashSet::default(),
            canon: Vec::new(),
            singles: std::sync::OnceLock::new(),
            entry_words: std::sync::OnceLock::new(),
        }
    }
}

impl Trie {
    /// Adds an entry (its word ids), numbered `entry`. The first of equal entries wins.
    pub fn insert(&mut self, words: &[u32], entry: u32) {
        (self.singles, self.entry_words) = Default::default();
        let mut node = ROOT;
        for &w in words {
            self.words.insert(w);
            node = match self.edges.get(&(node, w)) {
                Some(&n) => n,
                None => {
                    let n = self.accept.len() as u32;
                    self.accept.push(None);
                    self.has_children.push(false);
                    self.has_children[node as usize] = true;
                    self.edges.insert((node, w), n);
                    n
                }
            };
        }
        if words.len() > 1
            && let Some(&w) = words.last()
        {
            self.lasts.insert(w);
        }
        if node != ROOT && self.accept[node as usize].is_none() {
            self.accept[node as usize] = Some(entry);
        }
    }

    /// The node reached from `node` by word `w`.
    #[inline]
    pub fn step(&self, node: u32, w: u32) -> Option<u32> {
        if !self.has_children[node as usize] {
            return None;
        }
        self.edges.get(&(node, w)).copied()
    }

    /// The entry ending at `node`, if any.
    #[inline]
    pub fn accepts(&self, node: u32) -> Option<u32> {
        self.accept[node as usize]
    }

    /// Whether longer entries continue from `node`.
    #[inline]
    pub fn continues(&self, node: u32) -> bool {
        self.has_children[node as usize]
    }

    /// True if some entry starts with `w`.
    #[inline]
    pub fn starts_with(&self, w: u32) -> bool {
        self.step(ROOT, w).is_some()
    }

    /// True if `w` occurs in some entry, at any position.
    #[inline]
    pub fn has_word(&self, w: u32) -> bool {
        self.words.contains(&w)
    }

    /// True if `w` ends an entry of two words or more.
    #[inline]
    pub fn ends_long(&self, w: u32) -> bool {
        self.lasts.contains(&w)
    }

    /// Every word that occurs in an entry.
    pub fn words(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().copied()
    }

    /// True if `w` alone is an entry.
    pub fn is_single(&self, w: u32) -> bool {
        self.step(ROOT, w)
            .is_some_and(|n| self.accepts(n).is_some())
    }

    /// The entry that is exactly these words, if any.
    pub fn lookup(&self, words: &[u32]) -> Option<u32> {
        let mut node = ROOT;
        for &w in words {
            node = self.step(node, w)?;
        }
        self.accepts(node)
    }

    /// How many of `words` the longest entry they start with takes, if
    /// they start with one.
    pub fn longest(&self, words: &[u32]) -> Option<usize> {
        let mut node = ROOT;
        let mut longest = None;
        for (i, &w) in words.iter().enumerate() {
            let Some(next) = self.step(node, w) else {
                break;
            };
            node = next;
            if self.accepts(node).is_some() {
                longest = Some(i + 1);
            }
        }
        longest
    }

    /// A word of each entry, so that a text holding an entry holds one of
    /// these: the entry's first word that is not in `common` (sorted), or
    /// its first word when all are. Worked out when first asked; a program
    /// asks with the same `common` each time.
    pub fn entry_words(&self, common: &[u32]) -> &[u32] {
        self.entry_words.get_or_init(|| {
            let is_common = |w: u32| common.binary_search(&w).is_ok();
            let mut children: Vec<Vec<(u32, u32)>> = vec![Vec::new(); self.accept.len()];
            for (&(from, w), &to) in &self.edges {
                children[from as usize].push((w, to));
            }
            let mut out = Vec::new();
            // (node, the word taken for the entries through it so far, and
            // whether it is common)
            let mut stack = vec![(ROOT, u32::MAX, true)];
            while let Some((node, taken, common)) = stack.pop() {
                if node != ROOT && self.accepts(node).is_some() {
                    out.push(taken);
                }
                for &(w, to) in &children[node as usize] {
                    stack.push(if taken == u32::MAX || (common && !is_common(w)) {
                        (to, w, is_common(w))
                    } else {
                        (to, taken, common)
                    });
                }
            }
            out.sort_unstable();
            out.dedup();
            out
        })
    }

    /// Every word that is an entry by itself.
    pub fn single_words(&self) -> &[u32] {
        self.singles.get_or_init(|| {
            let mut v: Vec<u32> = self
                .edges
                .iter()
                .filter(|((from, _), to)| *from == ROOT && self.accepts(**to).is_some())
                .map(|(&(_, w), _)| w)
                .collect();
            v.sort_unstable();
            v
        })
    }
}
