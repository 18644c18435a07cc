//! Care work (帮扶): the six categories of care and their services as data, the records a
//! worker keeps, the cases that follow a workflow, the duties someone answers for (pairings,
//! follow-ups, the emergency-aid contact of a new family, holiday campaigns) and a family's
//! timeline. Pure: the store keeps the rows, this decides what they mean.

pub mod accountability;
pub mod attachment;
pub mod catalogue;
pub mod emergency;
pub mod notices;
pub mod records;
pub mod requests;
pub mod schedule;
pub mod timeline;
pub mod workflow;
