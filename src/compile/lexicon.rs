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
    /// [`Trie::first_words`] and [`Trie::single_words`], worked out when
    /// first asked (the compiler asks for each use of the lexicon).
    firsts: std::sync::OnceLock<Vec<u32>>,
    singles: std::sync::OnceLock<Vec<u32>>,
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
            firsts: std::sync::OnceLock::new(),
            singles: std::sync::OnceLock::new(),
        }
    }
}

impl Trie {
    /// Adds an entry (its word ids), numbered `entry`. The first of equal entries wins.
    pub fn insert(&mut self, words: &[u32], entry: u32) {
        (self.firsts, self.singles) = Default::default();
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

    /// Every word that starts an entry.
    pub fn first_words(&self) -> &[u32] {
        self.firsts.get_or_init(|| {
            let mut v: Vec<u32> = self
                .edges
                .keys()
                .filter(|(from, _)| *from == ROOT)
                .map(|&(_, w)| w)
                .collect();
            v.sort_unstable();
            v
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
