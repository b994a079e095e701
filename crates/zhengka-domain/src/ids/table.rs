//! Code tables shipped as `code<TAB>name` data files (see `data/README.md`).
//!
//! The files are compiled in with `include_str!` and parsed on first use
//! behind a `OnceLock`, so lookups cost a binary search and no I/O.

/// A table of codes and names, sorted by code.
pub(crate) struct Table {
    rows: Vec<(&'static str, &'static str)>,
}

impl Table {
    /// Parses `code<TAB>name` lines, skipping `#` comments and blank lines.
    ///
    /// Panics on a malformed line: the data is part of the build, and the unit
    /// tests parse every shipped file, so a bad edit fails the tests at once.
    pub(crate) fn parse(tsv: &'static str) -> Self {
        let mut rows: Vec<_> = tsv
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                line.split_once('\t')
                    .unwrap_or_else(|| panic!("data line without a tab: {line:?}"))
            })
            .collect();
        // Sorting here keeps lookups right even if a file is edited out of order.
        rows.sort_unstable_by_key(|(code, _)| *code);
        Self { rows }
    }

    /// The row whose code is exactly `code`.
    pub(crate) fn get(&self, code: &str) -> Option<(&'static str, &'static str)> {
        self.rows
            .binary_search_by(|(candidate, _)| (*candidate).cmp(code))
            .ok()
            .map(|index| self.rows[index])
    }

    /// Every row, sorted by code (pickers list them all).
    pub(crate) fn rows(&self) -> &[(&'static str, &'static str)] {
        &self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_sorts_and_finds() {
        let table = Table::parse("# header\n\nB\tbee\nA\tay\n");
        assert_eq!(table.rows(), &[("A", "ay"), ("B", "bee")]);
        assert_eq!(table.get("B"), Some(("B", "bee")));
        assert_eq!(table.get("C"), None);
    }

    #[test]
    #[should_panic(expected = "data line without a tab")]
    fn rejects_a_line_without_a_tab() {
        Table::parse("A ay\n");
    }
}
