pub mod irrd;
