//! Numerical optimisers and polynomial tools the model families share: the Nelder–Mead simplex
//! (ETS, ARIMA likelihoods), L-BFGS (Prophet's MAP fit) and lag-polynomial roots (ARIMA
//! stationarity, ETS admissibility).

pub mod lbfgs;
pub mod nelder_mead;
pub mod poly;

pub use nelder_mead::NelderMead;
