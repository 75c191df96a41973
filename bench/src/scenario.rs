//! The benchmark scenarios and the request paths each connection cycles through.

/// What a scenario requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    FirstPage,
    FilteredSearch,
    ById,
    /// 40 % first page, 20 % filtered search, 40 % by id.
    Mixed,
}

impl Scenario {
    pub const ALL: [Scenario; 4] = [
        Scenario::FirstPage,
        Scenario::FilteredSearch,
        Scenario::ById,
        Scenario::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::FirstPage => "products_first_page",
            Scenario::FilteredSearch => "products_filtered_search",
            Scenario::ById => "product_by_id",
            Scenario::Mixed => "mixed",
        }
    }
}

/// The request paths the scenarios cycle through.
#[derive(Debug)]
pub struct Paths {
    pub first_page: String,
    pub searches: Vec<String>,
    pub by_id: Vec<String>,
}

/// Picks a task's next request path; each task starts at a different offset so the
/// connections do not all ask for the same thing at once.
pub struct Picker {
    turn: usize,
    search: usize,
    by_id: usize,
}

impl Picker {
    pub fn new(task: usize, concurrency: usize, paths: &Paths) -> Picker {
        let spread = |len: usize| task * len / concurrency.max(1);
        Picker {
            turn: task,
            search: spread(paths.searches.len()),
            by_id: spread(paths.by_id.len()),
        }
    }

    pub fn next<'a>(&mut self, scenario: Scenario, paths: &'a Paths) -> &'a str {
        let kind = match scenario {
            Scenario::Mixed => {
                self.turn = self.turn.wrapping_add(1);
                // Out of every 5 requests: 2 first page, 1 search, 2 by id.
                match self.turn % 5 {
                    0 | 1 => Scenario::FirstPage,
                    2 => Scenario::FilteredSearch,
                    _ => Scenario::ById,
                }
            }
            single => single,
        };
        match kind {
            Scenario::FilteredSearch => cycle(&paths.searches, &mut self.search, &paths.first_page),
            Scenario::ById => cycle(&paths.by_id, &mut self.by_id, &paths.first_page),
            Scenario::FirstPage | Scenario::Mixed => &paths.first_page,
        }
    }
}

/// `list[at]`, wrapping around, then advances `at`; `fallback` when `list` is empty.
fn cycle<'a>(list: &'a [String], at: &mut usize, fallback: &'a str) -> &'a str {
    let path = list
        .get(*at % list.len().max(1))
        .map_or(fallback, String::as_str);
    *at = at.wrapping_add(1);
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> Paths {
        Paths {
            first_page: "/first".to_owned(),
            searches: vec!["/s0".to_owned(), "/s1".to_owned()],
            by_id: (0..4).map(|i| format!("/id{i}")).collect(),
        }
    }

    #[test]
    fn mixed_is_two_first_page_one_search_two_by_id() {
        let paths = paths();
        let mut picker = Picker::new(0, 1, &paths);
        let picked: Vec<&str> = (0..10)
            .map(|_| picker.next(Scenario::Mixed, &paths))
            .collect();
        let count = |prefix: &str| picked.iter().filter(|p| p.starts_with(prefix)).count();
        assert_eq!((count("/first"), count("/s"), count("/id")), (4, 2, 4));
    }

    #[test]
    fn by_id_cycles_over_every_id_from_the_task_offset() {
        let paths = paths();
        let mut picker = Picker::new(1, 2, &paths);
        let picked: Vec<&str> = (0..5)
            .map(|_| picker.next(Scenario::ById, &paths))
            .collect();
        assert_eq!(picked, ["/id2", "/id3", "/id0", "/id1", "/id2"]);
    }

    #[test]
    fn empty_lists_fall_back_to_first_page() {
        let paths = Paths {
            first_page: "/first".to_owned(),
            searches: vec![],
            by_id: vec![],
        };
        let mut picker = Picker::new(3, 4, &paths);
        assert_eq!(picker.next(Scenario::ById, &paths), "/first");
        assert_eq!(picker.next(Scenario::FilteredSearch, &paths), "/first");
    }
}
