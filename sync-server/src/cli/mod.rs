//! The binary's subcommands that grew beyond a few lines, one file each (`main.rs` parses
//! the command line and runs the server).

pub mod report;
