//! Fidelity: how close synthetic data is to the snapshot it imitates, or how far two profiles
//! of one database have drifted apart.
//!
//! A data comparison observes each side once ([`observe`]: the profile's column accumulators
//! plus bounded samples and key sets), then [`data`] sets real beside synthetic, figure by
//! figure. Drift ([`drift`]) computes the same column figures from two profiles' statistics.
//! Both produce a [`Report`], scored in [`report`], which [`render`] prints for a terminal and
//! [`html`] draws as one self-contained page. Nothing here does I/O: `run::compare` scans the
//! sources and writes the files.

pub mod association;
pub mod cells;
pub mod column;
pub mod data;
pub mod distance;
pub mod drift;
pub mod html;
pub mod observe;
pub mod render;
pub mod report;

pub use report::{Report, Subscores};
