//! Access: who is calling (a [`principal::Subject`] with the data its rows depend on), what
//! each audience may reach ([`policy`], the one declaration) and how sensitive values are
//! masked ([`mask`]).

pub mod binding;
pub mod mask;
pub mod policy;
pub mod principal;
