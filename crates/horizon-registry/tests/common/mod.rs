pub mod server;
pub mod suite;
