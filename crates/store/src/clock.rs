//! The store's clock: what "today" is for due dates and overdue lists. The system clock in
//! production; tests fix it (`Store::fix_clock`) so that overdue computations are checked
//! against a known day.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use nuanxin_domain::time;

#[derive(Clone, Default)]
pub(crate) struct Clock {
    fixed: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl Clock {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.fixed
            .read()
            .ok()
            .and_then(|f| *f)
            .unwrap_or_else(Utc::now)
    }

    /// Today in China.
    pub(crate) fn today(&self) -> NaiveDate {
        time::china_date(self.now())
    }

    pub(crate) fn fix(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut f) = self.fixed.write() {
            *f = at;
        }
    }
}

impl crate::Store {
    /// Fixes the clock at `at` for every clone of this store (`None`: the system clock
    /// again). For tests and demonstrations of due dates.
    pub fn fix_clock(&self, at: Option<DateTime<Utc>>) {
        self.clock.fix(at);
    }

    /// Today in China, by the store's clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }
}
